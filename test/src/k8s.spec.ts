// No cluster runs where this project is built and tested, so the Kubernetes manifests
// (deploy/k8s) are rendered with kubectl's kustomize, every object is validated offline against
// the Kubernetes schemas and Strimzi's own CRDs (deploy/k8s/validation/validate.py), and what the
// system needs is checked on the rendered objects, against the apps' own config classes.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { installSchemathesis } from '@shop/stack';
import { parseAllDocuments } from 'yaml';
import { imageParts, loadCompose, readRepoFile, repoPath } from './support/docker-files';

/** The Kubernetes release the objects are validated against (kubectl here is 1.32; Strimzi 0.45 needs 1.25+). */
const KUBERNETES_VERSION = '1.32.0';
/** Used only where no kubectl is installed: the Kustomize that kubectl 1.32 embeds, built from the Go module proxy. */
const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5@v5.5.0';
const CACHE_DIR = repoPath('.stack', 'cache');
const CRD_POM = repoPath('deploy', 'k8s', 'validation', 'pom.xml');
const VALIDATOR = repoPath('deploy', 'k8s', 'validation', 'validate.py');
const APPS = ['gateway', 'user-service', 'product-service', 'order-service'];
/** Read by Node itself, not by a config class (README: Environment variables). */
const RUNTIME_VARIABLES = ['NODE_OPTIONS'];

type K8sObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// ---------------------------------------------------------------- tools, installed when missing

function run(command: string, args: string[], options: { input?: string; cwd?: string } = {}): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

/** `kubectl kustomize <dir>`, or the same Kustomize built with Go where kubectl is missing. */
function render(dir: string): string {
  if (hasKubectl()) return execFileSync('kubectl', ['kustomize', repoPath(dir)], { encoding: 'utf8' });
  const gobin = join(CACHE_DIR, `kustomize-${KUSTOMIZE_MODULE.split('@')[1]}`);
  if (!existsSync(join(gobin, 'kustomize'))) execFileSync('go', ['install', KUSTOMIZE_MODULE], { env: { ...process.env, GOBIN: gobin }, stdio: 'inherit' });
  return execFileSync(join(gobin, 'kustomize'), ['build', repoPath(dir)], { encoding: 'utf8' });
}

/**
 * The Kafka and KafkaNodePool CRDs as Strimzi ships them, written by Strimzi's own generator from
 * its API classes (Maven Central, pinned in deploy/k8s/validation/pom.xml), cached in .stack/cache.
 */
function strimziCrds(): string[] {
  const hash = createHash('sha256').update(readFileSync(CRD_POM)).digest('hex').slice(0, 8);
  const dir = join(CACHE_DIR, `strimzi-crds-${hash}`);
  const crds = [join(dir, 'kafka.yaml'), join(dir, 'kafkanodepool.yaml')];
  if (existsSync(join(dir, '.complete'))) return crds;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const libs = join(dir, 'libs');
  execFileSync('mvn', ['-q', '-B', '-f', CRD_POM, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`], { stdio: 'inherit' });
  execFileSync('java', [
    '-cp', `${libs}/*`, 'io.strimzi.crdgenerator.CrdGenerator',
    // The arguments Strimzi's own build gives it (api/pom.xml).
    '--target-kube', '1.16+', '--crd-api-version', 'v1', '--api-versions', 'v1beta2', '--storage-version', 'v1beta2', '--yaml',
    `io.strimzi.api.kafka.model.kafka.Kafka=${crds[0]}`,
    `io.strimzi.api.kafka.model.nodepool.KafkaNodePool=${crds[1]}`,
  ], { stdio: ['ignore', 'inherit', 'pipe'] });
  rmSync(libs, { recursive: true, force: true });
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
  return crds;
}

interface Verdict {
  kind: string;
  apiVersion: string;
  name: string;
  errors: string[];
}

let python = '';
let crds: string[] = [];

/** Every object of the documents, as validate.py judged it. */
function validate(objects: K8sObject[]): Verdict[] {
  const input = objects.map((object) => JSON.stringify(object)).join('\n---\n');
  const args = [VALIDATOR, '--kubernetes-version', KUBERNETES_VERSION, ...crds.flatMap((crd) => ['--crd', crd])];
  const { status, stdout, stderr } = run(python, args, { input });
  assert.ok(status === 0 || status === 1, `validate.py failed (exit ${status}):\n${stderr}`);
  return stdout.trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Verdict);
}

// ---------------------------------------------------------------- the rendered objects

function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((document) => document.toJS() as K8sObject).filter((object) => object !== null);
}

const rendered: Record<'base' | 'dev', K8sObject[]> = { base: [], dev: [] };

function objectsOf(kind: string, objects = rendered.dev): K8sObject[] {
  return objects.filter((object) => object.kind === kind);
}

function the(kind: string, name: string, objects = rendered.dev): K8sObject {
  const found = objects.filter((object) => object.kind === kind && (object.metadata.name === name || object.metadata.name.startsWith(`${name}-`)));
  assert.equal(found.length, 1, `expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

function appContainer(deployment: K8sObject): K8sObject {
  const containers = deployment.spec.template.spec.containers as K8sObject[];
  assert.equal(containers.length, 1, `Deployment ${deployment.metadata.name} runs one container`);
  return containers[0];
}

function selects(selector: K8sObject, labels: Record<string, string>): boolean {
  const wanted = Object.entries((selector.matchLabels ?? selector) as Record<string, string>);
  return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
}

/** The port an app listens on by default, and the config class it reads, from its app.module.ts. */
function appModule(app: string): { port: number; configClass: string } {
  const match = /config:\s*(\w+),\s*defaults:\s*\{\s*PORT:\s*(\d+)\s*\}/.exec(readRepoFile(app, 'src', 'app.module.ts'));
  assert.ok(match, `${app}/src/app.module.ts has no PlatformModule.forRoot({ config, defaults: { PORT } })`);
  return { configClass: match[1], port: Number(match[2]) };
}

interface Platform {
  ServiceConfig: new () => object;
  readConfig(cls: new () => object, env: Record<string, unknown>, defaults?: Record<string, unknown>): object;
  configVariables(cls: new () => object): string[];
  jwtSecret(env: { JWT_SECRET?: string; NODE_ENV?: string }): string;
}

/** The app's compiled config class (npm run build has compiled the apps before the tests run). */
function configClassOf(app: string, platform: Platform): new () => object {
  const { configClass } = appModule(app);
  if (configClass === 'ServiceConfig') return platform.ServiceConfig;
  const cls = (require(repoPath(app, 'dist', 'config.js')) as Record<string, new () => object>)[configClass];
  assert.ok(cls, `${app}/dist/config.js exports no ${configClass}: run npm run build`);
  return cls;
}

/** Every variable the Deployment gives its container, with its value (ConfigMap and Secret resolved). */
function environmentOf(deployment: K8sObject, objects = rendered.dev): Record<string, string> {
  const container = appContainer(deployment);
  const env: Record<string, string> = {};
  for (const source of (container.envFrom ?? []) as K8sObject[]) {
    if (source.configMapRef) Object.assign(env, the('ConfigMap', source.configMapRef.name, objects).data);
    if (source.secretRef) Object.assign(env, decoded(the('Secret', source.secretRef.name, objects)));
  }
  for (const variable of (container.env ?? []) as K8sObject[]) {
    const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    if (variable.valueFrom?.secretKeyRef) env[variable.name] = decoded(the('Secret', ref.name, objects))[ref.key];
    else if (variable.valueFrom?.configMapKeyRef) env[variable.name] = the('ConfigMap', ref.name, objects).data[ref.key];
    else env[variable.name] = String(variable.value);
  }
  return env;
}

function decoded(secret: K8sObject): Record<string, string> {
  const data = Object.entries((secret.data ?? {}) as Record<string, string>).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]);
  return { ...Object.fromEntries(data), ...(secret.stringData ?? {}) };
}

before(async () => {
  rendered.base = parseObjects(render('deploy/k8s/base'));
  rendered.dev = parseObjects(render('deploy/k8s/overlays/dev'));
  python = join(dirname(await installSchemathesis({ quiet: true })), 'python');
  crds = strimziCrds();
}, { timeout: 600_000 });

describe('deploy/k8s rendered and validated', () => {
  it('renders the base and the dev overlay with kustomize, the overlay in its own namespace', () => {
    for (const objects of [rendered.base, rendered.dev]) {
      for (const kind of ['Deployment', 'Service', 'ConfigMap', 'StatefulSet', 'Job', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'Kafka', 'KafkaNodePool']) {
        assert.ok(objectsOf(kind, objects).length > 0, `no ${kind} rendered`);
      }
    }
    const namespace = the('Namespace', 'shop-dev').metadata.name;
    for (const object of rendered.dev.filter((candidate) => candidate.kind !== 'Namespace')) {
      assert.equal(object.metadata.namespace, namespace, `${object.kind} ${object.metadata.name} is in the overlay's namespace`);
    }
  });

  for (const variant of ['base', 'dev'] as const) {
    it(`validates every object of the ${variant === 'base' ? 'base' : 'dev overlay'} against the Kubernetes ${KUBERNETES_VERSION} schemas and Strimzi's CRDs`, () => {
      const verdicts = validate(rendered[variant]);
      assert.deepEqual(
        verdicts.map(({ kind, name }) => `${kind}/${name}`),
        rendered[variant].map((object) => `${object.kind}/${object.metadata.name}`),
        'one verdict per rendered object',
      );
      assert.deepEqual(verdicts.filter((verdict) => verdict.errors.length > 0), []);
    });
  }

  it('reports a wrong field type, an unknown field, a broken custom resource and a kind without a schema', () => {
    // kubernetes-validate names the first error of a built-in object: one fault per copy.
    const wrongType = structuredClone(the('Deployment', 'user-service'));
    wrongType.spec.replicas = 'two';
    const unknownField = structuredClone(the('Deployment', 'user-service'));
    appContainer(unknownField).readinessProbe.httpGet.pathh = '/health/ready';
    const kafka = structuredClone(the('Kafka', 'shop'));
    kafka.spec.kafka.listenerz = kafka.spec.kafka.listeners;
    const pool = structuredClone(the('KafkaNodePool', 'nodes'));
    pool.spec.roles = ['controller', 'broker', 'zookeeper'];
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const [wrongTypeVerdict, unknownFieldVerdict, kafkaVerdict, poolVerdict, unknownVerdict] = validate([wrongType, unknownField, kafka, pool, unknown]);
    assert.match(wrongTypeVerdict.errors.join('\n'), /spec\.replicas: 'two' is not of type 'integer'/);
    assert.match(unknownFieldVerdict.errors.join('\n'), /readinessProbe\.httpGet: .*'pathh' was unexpected/);
    assert.match(kafkaVerdict.errors.join('\n'), /spec\.kafka: .*'listenerz' was unexpected/);
    assert.match(poolVerdict.errors.join('\n'), /spec\.roles\.2: 'zookeeper' is not one of/);
    assert.match(unknownVerdict.errors.join('\n'), /Couldn't find schema for kind Widget/);
  });
});

describe('deploy/k8s apps', () => {
  it('runs each of the four apps from its image, on the port its app.module gives it, with both probes there', () => {
    const deployments = objectsOf('Deployment');
    assert.deepEqual(deployments.map((deployment) => deployment.metadata.name).sort(), [...APPS].sort());
    for (const app of APPS) {
      const deployment = the('Deployment', app);
      const container = appContainer(deployment);
      const { port } = appModule(app);
      assert.equal(imageParts(container.image).repository, `shop/${app}`);
      assert.equal(imageParts(container.image).tag, 'dev', 'the dev overlay tags the images dev');
      const http = (container.ports as K8sObject[]).find((candidate) => candidate.name === 'http');
      assert.equal(http?.containerPort, port, `${app} listens on ${port}`);
      assert.equal(environmentOf(deployment).PORT, String(port), `${app} is told PORT=${port}`);
      for (const [probe, path] of [['livenessProbe', '/health/live'], ['readinessProbe', '/health/ready'], ['startupProbe', '/health/live']]) {
        assert.equal(container[probe]?.httpGet?.path, path, `${app}: ${probe} on ${path}`);
        assert.ok(container[probe].httpGet.port === 'http' || container[probe].httpGet.port === port, `${app}: ${probe} on the app's port`);
      }
    }
  });

  it('gives each app resources, a rollout that keeps every ready replica, two replicas, time to stop and a locked-down container', () => {
    for (const app of APPS) {
      const deployment = the('Deployment', app);
      const container = appContainer(deployment);
      const pod = deployment.spec.template.spec;
      assert.ok(container.resources?.requests?.cpu && container.resources?.requests?.memory && container.resources?.limits?.memory, `${app}: cpu and memory requests and a memory limit`);
      assert.deepEqual(deployment.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }, `${app}: the rollout never takes a ready replica away first`);
      const hpa = objectsOf('HorizontalPodAutoscaler').find((candidate) => candidate.spec.scaleTargetRef.name === app);
      assert.equal(deployment.spec.replicas ?? hpa?.spec.minReplicas, 2, `${app}: two replicas (the HPA's minimum where one scales it)`);
      assert.ok(pod.terminationGracePeriodSeconds >= 30, `${app}: time to leave its group and finish its work on SIGTERM`);
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.ok(Number.isInteger(pod.securityContext.runAsUser) && pod.securityContext.runAsUser > 0, `${app}: a numeric non-root user the kubelet can check`);
      assert.deepEqual(container.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
  });

  it('keeps one replica of each app through disruptions, and scales the gateway on CPU within the reply partitions', () => {
    for (const app of APPS) {
      const labels = the('Deployment', app).spec.template.metadata.labels;
      const budgets = objectsOf('PodDisruptionBudget').filter((pdb) => selects(pdb.spec.selector, labels));
      assert.equal(budgets.length, 1, `${app} has one PodDisruptionBudget`);
      assert.equal(budgets[0].spec.minAvailable, 1);
      const services = objectsOf('Service').filter((service) => selects(service.spec.selector, labels));
      assert.equal(services.length, 1, `${app} has one Service`);
      assert.equal(services[0].spec.type ?? 'ClusterIP', 'ClusterIP');
      assert.equal(services[0].spec.ports[0].targetPort, 'http');
    }
    const hpas = objectsOf('HorizontalPodAutoscaler');
    assert.equal(hpas.length, 1);
    const [hpa] = hpas;
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    assert.equal(hpa.spec.metrics[0].resource.name, 'cpu');
    const partitions = Number(environmentOf(the('Deployment', 'gateway')).KAFKA_PARTITIONS);
    assert.ok(hpa.spec.maxReplicas <= partitions, `the gateway may scale to ${hpa.spec.maxReplicas} replicas, but each needs one of the ${partitions} reply partitions`);
  });

  it('takes JWT_SECRET, MONGO_URI and ADMIN_PASSWORD from a Secret the base leaves to each environment', () => {
    assert.deepEqual(objectsOf('Secret', rendered.base), [], 'the base commits no Secret');
    for (const [app, secrets] of [['gateway', ['JWT_SECRET']], ['user-service', ['JWT_SECRET', 'MONGO_URI', 'ADMIN_PASSWORD']], ['product-service', ['MONGO_URI']], ['order-service', ['MONGO_URI']]] as const) {
      for (const objects of [rendered.base, rendered.dev]) {
        const env = (appContainer(the('Deployment', app, objects)).env ?? []) as K8sObject[];
        for (const secret of secrets) {
          const ref = env.find((variable) => variable.name === secret)?.valueFrom?.secretKeyRef;
          assert.ok(ref && ref.key === secret && String(ref.name).startsWith('shop-secrets'), `${app}: ${secret} from the Secret shop-secrets`);
        }
      }
    }
    for (const configMap of objectsOf('ConfigMap')) {
      for (const secret of ['JWT_SECRET', 'MONGO_URI', 'ADMIN_PASSWORD']) assert.ok(!(secret in configMap.data), `${secret} is not in ConfigMap ${configMap.metadata.name}`);
    }
  });

  it('sets only variables the apps read, and each app boots on what it is given (its own config validation, in production)', () => {
    const platform = require(repoPath('libs', 'platform', 'dist', 'index.js')) as Platform;
    for (const app of APPS) {
      const config = configClassOf(app, platform);
      const known = [...platform.configVariables(config), ...RUNTIME_VARIABLES];
      const env = environmentOf(the('Deployment', app));
      assert.deepEqual(Object.keys(env).filter((name) => !known.includes(name)), [], `${app} is given variables it does not read`);
      assert.equal(env.NODE_ENV, 'production');
      // No app defaults: PORT, the one variable without a default, must be set.
      assert.doesNotThrow(() => platform.readConfig(config, env), `${app} refuses its environment`);
      // The two that sign and seal with it refuse to boot in production without it.
      if (app === 'gateway' || app === 'user-service') assert.equal(platform.jwtSecret(env), env.JWT_SECRET, `${app} signs with the Secret's JWT_SECRET`);
    }
  });
});

describe('deploy/k8s Kafka and MongoDB', () => {
  it('runs Kafka through Strimzi in KRaft: one node pool of three controllers and brokers on persistent storage', () => {
    const kafka = the('Kafka', 'shop');
    assert.equal(kafka.apiVersion, 'kafka.strimzi.io/v1beta2');
    assert.equal(kafka.metadata.annotations['strimzi.io/kraft'], 'enabled');
    assert.equal(kafka.metadata.annotations['strimzi.io/node-pools'], 'enabled');
    const pom = readRepoFile('tools/stack/kafka/pom.xml');
    assert.equal(kafka.spec.kafka.version, /<kafka\.version>\s*([^<\s]+)\s*</.exec(pom)?.[1], 'the broker version the native stack and compose pin');
    assert.equal(kafka.spec.zookeeper, undefined);
    const pools = objectsOf('KafkaNodePool');
    assert.equal(pools.length, 1);
    const [pool] = pools;
    assert.equal(pool.metadata.labels['strimzi.io/cluster'], kafka.metadata.name);
    assert.equal(pool.spec.replicas, 3);
    assert.deepEqual([...pool.spec.roles].sort(), ['broker', 'controller']);
    const volumes = pool.spec.storage.type === 'jbod' ? pool.spec.storage.volumes : [pool.spec.storage];
    assert.ok(volumes.length > 0 && volumes.every((volume: K8sObject) => volume.type === 'persistent-claim'), 'persistent storage');
  });

  it('replicates every topic three times with two in sync, in the broker and in the apps, which bootstrap from the operator’s Service', () => {
    const kafka = the('Kafka', 'shop');
    const config = kafka.spec.kafka.config;
    for (const [key, value] of Object.entries({ 'default.replication.factor': 3, 'min.insync.replicas': 2, 'offsets.topic.replication.factor': 3, 'transaction.state.log.replication.factor': 3, 'transaction.state.log.min.isr': 2 })) {
      assert.equal(Number(config[key]), value, `Kafka ${key}`);
    }
    const plain = (kafka.spec.kafka.listeners as K8sObject[]).find((listener) => listener.tls === false && listener.type === 'internal');
    assert.ok(plain, 'an internal plaintext listener for the apps');
    for (const app of APPS) {
      const env = environmentOf(the('Deployment', app));
      assert.equal(env.KAFKA_BROKERS, `${kafka.metadata.name}-kafka-bootstrap:${plain.port}`, `${app} bootstraps from the Strimzi bootstrap Service`);
      assert.equal(env.KAFKA_REPLICATION_FACTOR, '3');
      assert.equal(env.KAFKA_MIN_INSYNC_REPLICAS, '2');
      assert.equal(env.KAFKA_ACKS ?? 'all', 'all');
    }
  });

  it('runs MongoDB as the three-member replica set rs0 that MONGO_URI names, initiated by a Job', () => {
    const statefulSet = the('StatefulSet', 'mongo');
    assert.equal(statefulSet.spec.replicas, 3);
    const container = statefulSet.spec.template.spec.containers[0];
    const composeMongo = Object.values(loadCompose().services).find((service) => service.image !== undefined && imageParts(service.image).repository === 'mongo');
    assert.equal(container.image, composeMongo?.image, 'the MongoDB image compose runs');
    const args = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
    assert.match(args, /--replSet rs0\b/);
    assert.ok(statefulSet.spec.volumeClaimTemplates.some((claim: K8sObject) => container.volumeMounts.some((mount: K8sObject) => mount.name === claim.metadata.name && mount.mountPath === '/data/db')), 'a volume claim for /data/db');
    const service = the('Service', statefulSet.spec.serviceName);
    assert.equal(service.spec.clusterIP, 'None', 'a headless Service names each member');
    const members = [0, 1, 2].map((ordinal) => `${statefulSet.metadata.name}-${ordinal}.${service.metadata.name}:27017`);
    const job = the('Job', 'mongo-rs-init');
    const script = JSON.stringify(job.spec.template.spec.containers[0]);
    for (const member of members) assert.ok(script.includes(member), `the init Job names ${member}`);
    assert.match(script, /replSetInitiate/);
    assert.match(script, /NotYetInitialized/, 'initiates only a set not yet initiated');
    for (const app of APPS.filter((candidate) => candidate !== 'gateway')) {
      // Not new URL(): a seed list of several hosts is no WHATWG URL.
      const uri = environmentOf(the('Deployment', app)).MONGO_URI;
      const [, hosts, query] = /^mongodb:\/\/([^/?]+)\/?\??(.*)$/.exec(uri) ?? [];
      assert.deepEqual(hosts?.split(','), members, `${app}'s MONGO_URI names every member: ${uri}`);
      assert.equal(new URLSearchParams(query).get('replicaSet'), 'rs0');
    }
  });

  it('keeps the validation inputs pinned', () => {
    const pom = readFileSync(CRD_POM, 'utf8');
    assert.match(pom, /<strimzi\.api\.version>\d+\.\d+\.\d+<\/strimzi\.api\.version>/);
    const pins = readRepoFile('tools/stack/python/requirements.txt').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.ok(pins.some((line) => /^kubernetes-validate==\d/.test(line)) && pins.every((line) => /^[\w.-]+==\S+$/.test(line)), 'every Python requirement pinned');
  });
});
