// No Docker engine runs where this project is built and tested, so the Docker path
// (docker-compose.yml, docker/Dockerfile, .dockerignore) is checked here, statically.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  buildArgsOf,
  ComposeBuild,
  ComposeFile,
  ComposeService,
  containsWord,
  contextCopies,
  DockerStage,
  dockerfileStages,
  environmentOf,
  imageParts,
  isPinnedTag,
  isRecord,
  loadCompose,
  publishedPorts,
  readRepoFile,
  repoPath,
  stageChain,
  typeScriptSourceText,
} from './support/docker-files';

const APPS = ['gateway', 'user-service', 'product-service', 'order-service'];
const DOCKERFILE = 'docker/Dockerfile';

let cached: ComposeFile | undefined;
function compose(): ComposeFile {
  cached ??= loadCompose();
  return cached;
}

function services(): Array<[string, ComposeService]> {
  return Object.entries(compose().services);
}

/** Services built from this repository, with the app each one runs (its APP build arg). */
function appServices(): Array<{ name: string; service: ComposeService; app: string }> {
  return services()
    .filter(([, service]) => service.build !== undefined)
    .map(([name, service]) => {
      const build = service.build;
      assert.ok(isRecord(build), `service "${name}" must use the long build syntax with args.APP`);
      const app = buildArgsOf(build as ComposeBuild).APP;
      assert.ok(app, `service "${name}" must pass the app to build as build.args.APP`);
      return { name, service, app };
    });
}

/** The one service running the given image repository (apache/kafka, mongo). */
function serviceRunning(repository: string): [string, ComposeService] {
  const found = services().filter(([, service]) => service.image !== undefined && imageParts(service.image).repository === repository);
  assert.equal(found.length, 1, `expected exactly one service running ${repository}, found ${found.map(([name]) => name).join(', ') || 'none'}`);
  return found[0];
}

/** host:port of the listener the broker advertises on the compose network (its inter-broker listener). */
function kafkaInternalAddress(): string {
  const [name, kafka] = serviceRunning('apache/kafka');
  const env = environmentOf(kafka);
  const listenerName = env.KAFKA_INTER_BROKER_LISTENER_NAME;
  assert.ok(listenerName, `service "${name}" must name its internal listener in KAFKA_INTER_BROKER_LISTENER_NAME`);
  const advertised = (env.KAFKA_ADVERTISED_LISTENERS ?? '').split(',').map((entry) => entry.trim());
  const entry = advertised.find((candidate) => candidate.startsWith(`${listenerName}://`));
  assert.ok(entry, `KAFKA_ADVERTISED_LISTENERS of "${name}" must advertise the ${listenerName} listener; it is "${env.KAFKA_ADVERTISED_LISTENERS}"`);
  const address = entry.slice(`${listenerName}://`.length);
  const [host, port] = address.split(':');
  assert.equal(host, name, `the ${listenerName} listener must be advertised under the service name "${name}", which compose resolves; it is "${host}"`);
  const listens = (env.KAFKA_LISTENERS ?? '').split(',').map((listener) => listener.trim());
  assert.ok(
    listens.some((listener) => listener.startsWith(`${listenerName}://`) && listener.endsWith(`:${port}`)),
    `KAFKA_LISTENERS of "${name}" must listen on ${listenerName} port ${port}; it is "${env.KAFKA_LISTENERS}"`,
  );
  return address;
}

function dockerStages(): DockerStage[] {
  const stages = dockerfileStages(readRepoFile(DOCKERFILE));
  assert.ok(stages.length > 0, `${DOCKERFILE} has no FROM`);
  return stages;
}

function isStageReference(stages: DockerStage[], stage: DockerStage): boolean {
  const index = stages.indexOf(stage);
  return stages.slice(0, index).some((earlier) => earlier.name?.toLowerCase() === stage.from.toLowerCase());
}

function userOf(stage: DockerStage): string | undefined {
  const users = stage.instructions.filter((instruction) => instruction.keyword === 'USER');
  return users.length === 0 ? undefined : users[users.length - 1].args.trim();
}

function isRootUser(user: string): boolean {
  const account = user.split(':')[0];
  return account === 'root' || account === '0';
}

describe('docker-compose.yml', () => {
  it('parses as YAML into a map of services', () => {
    const file = compose();
    assert.ok(Object.keys(file.services).length > 0, 'docker-compose.yml declares no services');
  });

  it('gives every service an image or a build, and a healthcheck that runs a command', () => {
    for (const [name, service] of services()) {
      assert.ok(service.image !== undefined || service.build !== undefined, `service "${name}" has neither image nor build`);
      const healthcheck = service.healthcheck;
      assert.ok(healthcheck !== undefined, `service "${name}" has no healthcheck, so nothing can wait for it to be healthy`);
      assert.notEqual(healthcheck.disable, true, `service "${name}" disables its healthcheck`);
      const test = healthcheck.test;
      if (Array.isArray(test)) {
        assert.ok(
          (test[0] === 'CMD' || test[0] === 'CMD-SHELL') && test.length > 1 && test.slice(1).join('').trim() !== '',
          `service "${name}": healthcheck.test must be ["CMD", ...] or ["CMD-SHELL", "..."] with a command; it is ${JSON.stringify(test)}`,
        );
      } else {
        assert.ok(typeof test === 'string' && test.trim() !== '', `service "${name}": healthcheck.test must be a command; it is ${JSON.stringify(test)}`);
      }
    }
  });

  it('pins every third-party image to a release version, never latest', () => {
    const thirdParty = services().filter(([, service]) => service.build === undefined);
    assert.ok(thirdParty.length > 0, 'no third-party images found; Kafka and MongoDB at least are expected');
    for (const [name, service] of thirdParty) {
      const image = String(service.image);
      const { tag } = imageParts(image);
      assert.ok(isPinnedTag(tag), `service "${name}" runs "${image}": pin a release tag such as 1.2.3 (not latest, not a bare major)`);
    }
  });

  it('builds the four apps from docker/Dockerfile, one APP each, as shop/<app>:dev', () => {
    const stageNames = dockerStages().map((stage) => stage.name);
    const built = appServices();
    assert.deepEqual(built.map(({ app }) => app).sort(), [...APPS].sort(), 'the apps built by compose must be exactly the four apps');
    for (const { name, service, app } of built) {
      const build = service.build as ComposeBuild;
      assert.equal(build.context ?? '.', '.', `service "${name}" must build with the repository root as context (the libs are needed)`);
      assert.equal(build.dockerfile, DOCKERFILE, `service "${name}" must build from ${DOCKERFILE}`);
      assert.ok(build.target && stageNames.includes(build.target), `service "${name}" builds target "${build.target}", which is no stage of ${DOCKERFILE} (${stageNames.join(', ')})`);
      assert.ok(existsSync(repoPath(app, 'package.json')), `service "${name}" builds APP=${app}, which is no workspace of this repository`);
      assert.equal(service.image, `shop/${app}:dev`, `service "${name}" must tag its image shop/${app}:dev`);
    }
  });

  it('makes every depends_on name an existing service and wait until it is healthy', () => {
    const names = new Set(Object.keys(compose().services));
    for (const [name, service] of services()) {
      const dependsOn = service.depends_on;
      if (dependsOn === undefined) continue;
      assert.ok(!Array.isArray(dependsOn), `service "${name}": write depends_on as a map with condition: service_healthy, not a list`);
      for (const [dependency, options] of Object.entries(dependsOn)) {
        assert.ok(names.has(dependency), `service "${name}" depends on "${dependency}", which is not a service`);
        assert.equal(options?.condition, 'service_healthy', `service "${name}" must wait for "${dependency}" with condition: service_healthy`);
      }
    }
  });

  it('makes the gateway wait for Kafka and the three services, and each service for Kafka and MongoDB', () => {
    const [kafka] = serviceRunning('apache/kafka');
    const [mongo] = serviceRunning('mongo');
    const byApp = new Map(appServices().map(({ name, service, app }) => [app, { name, service }]));
    const waitsFor = (app: string): string[] => Object.keys((byApp.get(app)?.service.depends_on as Record<string, unknown> | undefined) ?? {});
    const serviceNames = APPS.filter((app) => app !== 'gateway').map((app) => byApp.get(app)?.name ?? app);
    for (const needed of [kafka, ...serviceNames]) {
      assert.ok(waitsFor('gateway').includes(needed), `the gateway must depend on "${needed}"`);
    }
    for (const app of APPS.filter((candidate) => candidate !== 'gateway')) {
      for (const needed of [kafka, mongo]) {
        assert.ok(waitsFor(app).includes(needed), `${app} must depend on "${needed}"`);
      }
    }
  });

  it('publishes ports on 127.0.0.1 only', () => {
    for (const [name, service] of services()) {
      for (const port of publishedPorts(service)) {
        assert.equal(port.hostIp, '127.0.0.1', `service "${name}" publishes ${port.written}: bind it to 127.0.0.1 (e.g. "127.0.0.1:${port.target}:${port.target}")`);
        assert.ok(port.published, `service "${name}" publishes ${port.written} on a random host port; name the port`);
      }
    }
  });

  it('makes every app listen on all interfaces at its PORT, and publishes it on that PORT', () => {
    for (const { name, service } of appServices()) {
      const env = environmentOf(service);
      assert.equal(env.HOST, '0.0.0.0', `service "${name}" must set HOST=0.0.0.0; the default 127.0.0.1 is unreachable from other containers`);
      const port = env.PORT;
      assert.match(port ?? '', /^\d+$/, `service "${name}" must set PORT (its healthcheck and Prometheus use it)`);
      for (const published of publishedPorts(service)) {
        assert.equal(published.target, port, `service "${name}" listens on PORT ${port} but publishes container port ${published.target}`);
      }
    }
  });

  it('sets for each app only environment variables its config schema reads', () => {
    for (const { name, service, app } of appServices()) {
      const folders = ['libs/platform/src', 'libs/telemetry/src', `${app}/src`];
      const sources = typeScriptSourceText(...folders);
      assert.ok(sources.trim() !== '', `no TypeScript sources under ${folders.join(' or ')} to check the environment of "${name}" against`);
      for (const key of Object.keys(environmentOf(service))) {
        assert.ok(containsWord(sources, key), `service "${name}" sets ${key}, which no config source under ${folders.join(' or ')} reads`);
      }
    }
  });

  it('runs the apps that hold secrets in production mode, each secret required from the environment, none written in the file', () => {
    const services = compose().services;
    for (const [name, secrets] of [['gateway', ['JWT_SECRET']], ['user-service', ['JWT_SECRET', 'ADMIN_PASSWORD']]] as const) {
      const env = environmentOf(services[name]);
      assert.equal(env.NODE_ENV, 'production', `${name} runs with NODE_ENV=production, where JWT_SECRET is required`);
      for (const secret of secrets) assert.match(String(env[secret]), new RegExp(`^\\$\\{${secret}:\\?.+\\}$`), `${name}: ${secret} must be \${${secret}:?message}`);
    }
    assert.equal(environmentOf(services['gateway']).JWT_SECRET, environmentOf(services['user-service']).JWT_SECRET, 'the gateway and user-service share one JWT_SECRET');
  });

  it('points KAFKA_BROKERS of every app, and Kafka UI, at the broker listener on the compose network', () => {
    const address = kafkaInternalAddress();
    for (const { name, service } of appServices()) {
      const brokers = environmentOf(service).KAFKA_BROKERS;
      assert.ok(brokers, `service "${name}" must set KAFKA_BROKERS (the default is the native stack's localhost)`);
      for (const broker of brokers.split(',').map((entry) => entry.trim())) {
        assert.equal(broker, address, `service "${name}" has KAFKA_BROKERS "${brokers}"; inside compose the broker is ${address}`);
      }
    }
    const uis = services().filter(([, service]) => environmentOf(service).KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS !== undefined);
    assert.ok(uis.length > 0, 'no Kafka UI service (KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS) found');
    for (const [name, service] of uis) {
      assert.equal(environmentOf(service).KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS, address, `service "${name}" must bootstrap from ${address}`);
    }
  });

  it('runs MongoDB as the replica set rs0 of one member, mongo:27017, initiated by its healthcheck and healthy once primary', () => {
    const [name, mongo] = serviceRunning('mongo');
    const command = (mongo as Record<string, unknown>).command;
    const args = Array.isArray(command) ? command.map(String) : String(command ?? '').split(/\s+/);
    assert.equal(args[args.indexOf('--replSet') + 1], 'rs0', `service "${name}" must run mongod with --replSet rs0; its command is ${JSON.stringify(command)}`);
    assert.ok(args.includes('--bind_ip_all'), `service "${name}" must listen on all interfaces (--bind_ip_all), as the image does without a command`);
    const check = [mongo.healthcheck?.test ?? []].flat().join(' ');
    assert.match(check, /rs\.initiate\(\{ _id: 'rs0', members: \[\{ _id: 0, host: '([^']+)' \}\] \}\)/, `service "${name}": the healthcheck initiates rs0`);
    assert.equal(/host: '([^']+)'/.exec(check)?.[1], `${name}:27017`, 'the member is named as the apps reach it on the compose network');
    assert.match(check, /try \{ rs\.status\(\) \} catch/, 'initiates only a set not yet initiated');
    assert.match(check, /isWritablePrimary/, 'healthy only once the member is primary, so the services start against a writable set');
  });

  it('points MONGO_URI of every service at the mongo service, as the replica set rs0', () => {
    const [mongo] = serviceRunning('mongo');
    const users = appServices().filter(({ app }) => app.endsWith('-service'));
    assert.ok(users.length > 0, 'no app service ending in -service found');
    for (const { name, service } of users) {
      const uri = environmentOf(service).MONGO_URI;
      assert.ok(uri, `service "${name}" keeps its data in MongoDB and must set MONGO_URI`);
      const url = new URL(uri);
      assert.equal(url.protocol, 'mongodb:', `service "${name}" has MONGO_URI "${uri}"; expected a mongodb:// URI`);
      assert.equal(url.hostname, mongo, `service "${name}" has MONGO_URI "${uri}"; inside compose the server is "${mongo}"`);
      assert.equal(url.port || '27017', '27017', `service "${name}" has MONGO_URI "${uri}"; mongod listens on 27017`);
      assert.equal(url.searchParams.get('replicaSet'), 'rs0', `service "${name}" has MONGO_URI "${uri}"; name the replica set (?replicaSet=rs0)`);
    }
  });

  it('runs the Kafka broker version that the native stack pins in tools/stack/kafka/pom.xml', () => {
    const pom = readRepoFile('tools/stack/kafka/pom.xml');
    const pinned = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom)?.[1];
    assert.ok(pinned, 'tools/stack/kafka/pom.xml has no <kafka.version>');
    const [name, kafka] = serviceRunning('apache/kafka');
    assert.equal(imageParts(String(kafka.image)).tag, pinned, `service "${name}" runs ${kafka.image} but the native stack pins Kafka ${pinned}`);
  });

  it('runs the Zipkin version the native stack resolves, and sends every app’s traces to it', () => {
    const pinned = /ZIPKIN_VERSION = '([^']+)'/.exec(readRepoFile('tools/stack/src/observability.ts'))?.[1];
    assert.ok(pinned, 'tools/stack/src/observability.ts has no ZIPKIN_VERSION');
    const [name, zipkin] = serviceRunning('openzipkin/zipkin');
    assert.equal(imageParts(String(zipkin.image)).tag, pinned, `service "${name}" runs ${zipkin.image} but the native stack runs Zipkin ${pinned}`);
    for (const { name: app, service } of appServices()) {
      const env = environmentOf(service);
      assert.equal(env.OTEL_TRACES_EXPORTER, 'zipkin', `${app} exports traces`);
      assert.equal(env.OTEL_EXPORTER_ZIPKIN_ENDPOINT, `http://${name}:9411/api/v2/spans`, `${app} sends them to the zipkin service`);
    }
  });

  it('mounts only declared named volumes and files that exist in the repository', () => {
    const declared = new Set(Object.keys(compose().volumes ?? {}));
    for (const [name, service] of services()) {
      for (const volume of service.volumes ?? []) {
        const source = isRecord(volume) ? String(volume.source ?? '') : String(volume).split(':')[0];
        if (source.startsWith('.') || source.startsWith('/')) {
          assert.ok(existsSync(repoPath(source)), `service "${name}" mounts ${source}, which does not exist in the repository`);
        } else {
          assert.ok(declared.has(source), `service "${name}" mounts volume "${source}", which the top-level volumes do not declare`);
        }
      }
    }
  });

  it('has Prometheus scrape every app on its PORT', () => {
    const config: unknown = parse(readRepoFile('docker/prometheus/prometheus.yml'));
    const jobs = isRecord(config) && Array.isArray(config.scrape_configs) ? config.scrape_configs : [];
    const targets = jobs.flatMap((job: unknown) =>
      isRecord(job) && Array.isArray(job.static_configs)
        ? job.static_configs.flatMap((group: unknown) => (isRecord(group) && Array.isArray(group.targets) ? group.targets.map(String) : []))
        : [],
    );
    for (const { name, service } of appServices()) {
      const target = `${name}:${environmentOf(service).PORT}`;
      assert.ok(targets.includes(target), `docker/prometheus/prometheus.yml does not scrape ${target} (it scrapes ${targets.join(', ') || 'nothing'})`);
    }
  });
});

describe('docker/Dockerfile', () => {
  it('starts every stage from one pinned node image or from an earlier stage', () => {
    const stages = dockerStages();
    const images = stages.filter((stage) => !isStageReference(stages, stage)).map((stage) => stage.from);
    assert.ok(images.length > 0, `${DOCKERFILE} starts no stage from a base image`);
    assert.equal(new Set(images).size, 1, `every base image in ${DOCKERFILE} must be the same; found ${[...new Set(images)].join(', ')}`);
    const { repository, tag } = imageParts(images[0]);
    assert.equal(repository, 'node', `${DOCKERFILE} must build on the official node image; it uses ${images[0]}`);
    assert.ok(isPinnedTag(tag) && /^\d+\.\d+\.\d+/.test(tag ?? ''), `${DOCKERFILE} must pin node to a full version such as 20.19.5-bookworm-slim; it uses ${images[0]}`);
  });

  it('runs the final stage, and every stage compose runs, as a non-root user', () => {
    const stages = dockerStages();
    const targets = new Set(appServices().map(({ service }) => (service.build as ComposeBuild).target));
    const checked = stages.filter((stage, index) => index === stages.length - 1 || (stage.name !== undefined && targets.has(stage.name)));
    for (const stage of checked) {
      const user = userOf(stage);
      assert.ok(user, `stage ${stage.name ?? stage.from} of ${DOCKERFILE} sets no USER, so it runs as root`);
      assert.ok(!isRootUser(user), `stage ${stage.name ?? stage.from} of ${DOCKERFILE} runs as "${user}"; use a non-root user such as node`);
    }
  });

  it('copies every workspace manifest before each npm ci, so the lockfile matches', () => {
    const manifest: unknown = JSON.parse(readRepoFile('package.json'));
    const workspaces = isRecord(manifest) && Array.isArray(manifest.workspaces) ? manifest.workspaces.map(String) : [];
    assert.ok(workspaces.length > 0, 'the root package.json lists no workspaces');
    const stages = dockerStages();
    const installing = stages.filter((stage) => stage.instructions.some((instruction) => instruction.keyword === 'RUN' && /\bnpm ci\b/.test(instruction.args)));
    assert.ok(installing.length > 0, `${DOCKERFILE} never runs npm ci`);
    for (const stage of installing) {
      const copied = new Set(stageChain(stages, stage).flatMap(contextCopies).map((path) => path.replace(/^\.\//, '')));
      const copiesAll = copied.has('.');
      for (const needed of ['package.json', 'package-lock.json', ...workspaces.map((workspace) => `${workspace}/package.json`)]) {
        assert.ok(copiesAll || copied.has(needed), `stage ${stage.name ?? stage.from} runs npm ci without copying ${needed}`);
      }
    }
  });

  it('installs production dependencies only in the stage the apps run from', () => {
    const stages = dockerStages();
    const targets = new Set(appServices().map(({ service }) => (service.build as ComposeBuild).target));
    assert.ok(targets.size > 0, 'no app service names a build target');
    for (const target of targets) {
      const stage = stages.find((candidate) => candidate.name === target);
      assert.ok(stage, `build target "${target}" is no stage of ${DOCKERFILE}`);
      const installs = stageChain(stages, stage)
        .flatMap((link) => link.instructions)
        .filter((instruction) => instruction.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(instruction.args));
      assert.ok(installs.length > 0, `stage "${target}" installs no dependencies`);
      for (const install of installs) {
        assert.match(install.args, /--omit=dev\b/, `stage "${target}" (or a stage it builds on) runs "${install.args}", which brings in dev dependencies`);
      }
    }
  });
});

describe('.dockerignore', () => {
  it('keeps host builds, dependencies and local state out of the build context', () => {
    const patterns = new Set(
      readRepoFile('.dockerignore')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#')),
    );
    for (const needed of ['node_modules', 'dist', '*.tsbuildinfo', '.stack', '.git', 'bench/results']) {
      assert.ok(patterns.has(needed) || patterns.has(`**/${needed}`), `.dockerignore must leave out ${needed}`);
    }
  });
});
