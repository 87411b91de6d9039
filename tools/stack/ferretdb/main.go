// Command ferretdb-launcher runs an embedded FerretDB v1 (SQLite backend) for the
// native dev/test stack (tools/stack). It serves the MongoDB wire protocol until it
// receives SIGINT or SIGTERM, then closes its listener and databases and exits 0.
//
// Usage: ferretdb-launcher -listen 127.0.0.1:27017 -sqlite-dir /abs/path/to/dir
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
	flag.Parse()

	abs, err := filepath.Abs(*dir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatal(err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
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

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// MongoDBURI blocks until Run has opened the listener.
	go func() { log.Printf("ferretdb-launcher: serving %s (sqlite dir %s)", f.MongoDBURI(), abs) }()

	if err := f.Run(ctx); err != nil {
		log.Fatal(err)
	}
	log.Print("ferretdb-launcher: stopped")
}
