// Command ferretdb-launcher runs an embedded FerretDB v1 for the native dev/test stack
// (tools/stack), on its SQLite backend (the default) or on a PostgreSQL server the stack
// started. It serves the MongoDB wire protocol until it receives SIGINT or SIGTERM, then
// closes its listener and databases and exits 0.
//
// Usage: ferretdb-launcher -listen 127.0.0.1:27017 -sqlite-dir /abs/path/to/dir
//
//	ferretdb-launcher -listen 127.0.0.1:27017 -handler postgresql -postgresql-url postgres://...
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dir := flag.String("sqlite-dir", "data", "directory holding the SQLite database files")
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL connection URL of the postgresql handler")
	flag.Parse()

	switch *handler {
	case "sqlite":
		runSQLite(*listen, *dir)
	case "postgresql":
		runPostgreSQL(*listen, *postgresqlURL)
	default:
		log.Fatalf("ferretdb-launcher: -handler %q: sqlite or postgresql", *handler)
	}
}

func runSQLite(listen, dir string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatal(err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listen},
		Handler:  "sqlite",
		// FerretDB wants a directory URI with a trailing slash. WAL (FerretDB's default)
		// with synchronous=NORMAL commits without an fsync each time: a killed process
		// loses nothing, only a power cut could lose the last commits. Right for a dev and
		// test stack, and what makes a write take a millisecond instead of several.
		SQLiteURL: "file:" + filepath.ToSlash(abs) + "/?_pragma=synchronous(normal)",
	})
	if err != nil {
		log.Fatal(err)
	}
	serve(f, "sqlite dir "+abs)
}

func runPostgreSQL(listen, url string) {
	if url == "" {
		log.Fatal("ferretdb-launcher: -handler postgresql needs -postgresql-url")
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: listen},
		Handler:       "postgresql",
		PostgreSQLURL: url,
	})
	if err != nil {
		log.Fatal(err)
	}
	serve(f, "postgresql "+url)
}

// serve runs f until SIGINT or SIGTERM.
func serve(f *ferretdb.FerretDB, backend string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// MongoDBURI blocks until Run has opened the listener.
	go func() { log.Printf("ferretdb-launcher: serving %s (%s)", f.MongoDBURI(), backend) }()

	if err := f.Run(ctx); err != nil {
		log.Fatal(err)
	}
	log.Print("ferretdb-launcher: stopped")
}
