// Checks the deployment files against the binaries they run, since no container runtime is
// available here to run them (ctest: deploy_files_test).
//   node check-deploy.js SOURCE_DIR BUILD_DIR
// - deploy/container/Dockerfile: multi-stage from Debian 12, runs as a non-root user, and its
//   runtime stage installs (itself or through apt's dependencies, or Debian's base image has) the
//   package of every shared library `ldd` finds in the six binaries, and its build stage has every
//   -dev package tools/setup builds with;
// - k8s/ (base and production, rendered by `kubectl kustomize`): every object valid against the
//   Kubernetes schemas (npm kubernetes-models), every flag and port as above, probes on the gRPC
//   port (the console: HTTP /healthz), secret files read-only Secrets mounted 0440, only lookup's
//   HTTP open to everyone;
// - deploy/compose/compose.yaml: every flag passed to our binaries (commands, health checks, the
//   service-keys script) is one the binary defines (`--helpfull`), every address names the port the
//   target service listens on, every secret file a flag reads is mounted, every service of ours is
//   read-only, non-root, and serves /metrics.
// Prints each failure and exits 1 when there is any.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
let yaml;
try {
  yaml = require('js-yaml');
} catch (error) {
  console.error('js-yaml is not installed: run tools/test (npm ci --prefix tests/js)');
  process.exit(2);
}

const [sourceDir, buildDir] = process.argv.slice(2);
if (!sourceDir || !buildDir) {
  console.error('usage: node check-deploy.js SOURCE_DIR BUILD_DIR');
  process.exit(2);
}
const failures = [];
const fail = (message) => failures.push(message);
const run = (command, args) => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const binaries = {
  registry: path.join(buildDir, 'services/registry/registry'),
  batch: path.join(buildDir, 'services/batch/batch'),
  stamp: path.join(buildDir, 'services/stamp/stamp'),
  lookup: path.join(buildDir, 'services/lookup/lookup'),
  console: path.join(buildDir, 'services/console/console'),
  ocopctl: path.join(buildDir, 'tools/ocopctl'),
};
const grpcPorts = { registry: 50051, batch: 50052, stamp: 50053, lookup: 50054 };

// --- Dockerfile -------------------------------------------------------------------------------

const dockerfile = fs.readFileSync(path.join(sourceDir, 'deploy/container/Dockerfile'), 'utf8');
const stages = dockerfile.split(/^FROM /m).slice(1);
if (stages.length < 2) fail('Dockerfile: expected a build stage and a runtime stage');
for (const stage of stages) {
  if (!/^debian:12(-slim)?\b/.test(stage)) fail(`Dockerfile: stage not on Debian 12: FROM ${stage.split('\n')[0]}`);
}
const runtime = stages[stages.length - 1];
const userLine = runtime.match(/^USER\s+(\S+)/m);
if (!userLine || /^(0|root)(:|$)/.test(userLine[1])) fail('Dockerfile: the runtime stage must end as a non-root USER');
if (!/COPY --from=build/.test(runtime)) fail('Dockerfile: the runtime stage must copy the binaries from the build stage');

// The packages named in an `apt-get install` of a stage's RUN lines (continuations joined).
function installedPackages(stage) {
  const joined = stage.replace(/\\\n/g, ' ');
  const packages = new Set();
  for (const match of joined.matchAll(/apt-get install ([^&\n]*)/g)) {
    for (const word of match[1].split(/\s+/)) {
      if (word && !word.startsWith('-')) packages.add(word);
    }
  }
  return packages;
}
const runtimePackages = installedPackages(runtime);
if (runtimePackages.size === 0) fail('Dockerfile: the runtime stage installs no packages');
for (const tool of ['g++', 'cmake', 'make']) {
  if (runtimePackages.has(tool)) fail(`Dockerfile: the runtime stage installs the build tool ${tool}`);
}
for (const dev of runtimePackages) {
  if (dev.endsWith('-dev')) fail(`Dockerfile: the runtime stage installs the development package ${dev}`);
}

// The build stage can build what tools/setup builds with: every -dev package setup installs, but
// the test-only ones, is in the build stage too.
const setup = fs.readFileSync(path.join(sourceDir, 'tools/setup'), 'utf8');
const setupList = setup.slice(setup.indexOf('packages=('), setup.indexOf('\n)', setup.indexOf('packages=(')));
const buildPackages = installedPackages(stages[0]);
for (const line of setupList.split('\n')) {
  for (const word of line.replace(/#.*/, '').trim().split(/\s+/)) {
    if (word.endsWith('-dev') && !['libgtest-dev', 'libgmock-dev'].includes(word) && !buildPackages.has(word)) {
      fail(`Dockerfile: the build stage lacks ${word}, which tools/setup installs to build`);
    }
  }
}

// Installed packages' fields, asked once for all of them: one dpkg-query per package made this
// test take minutes on a loaded 2-core machine.
const packageFields = new Map();
for (const line of run('dpkg-query', ['-W', '-f=${Package}\t${Priority}\t${Essential}\t${Depends}\t${Pre-Depends}\n'])
  .split('\n')) {
  const [name, priority, essential, depends, preDepends] = line.split('\t');
  if (name && !packageFields.has(name)) packageFields.set(name, { priority, essential, depends: `${depends}, ${preDepends}` });
}
// null when the package is not installed here (an alternative or virtual package).
const fieldsOf = (name) => packageFields.get(name) ?? null;
// `roots` and everything they depend on (the first installed alternative of each dependency).
function closure(roots) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop().replace(/:.*$/, '');
    if (seen.has(name)) continue;
    const fields = fieldsOf(name);
    if (fields === null) continue;
    seen.add(name);
    for (const dependency of fields.depends.split(',')) {
      const alternatives = dependency.split('|').map((part) => part.trim().split(/[\s(]/)[0]).filter(Boolean);
      const installed = alternatives.find((alternative) => fieldsOf(alternative.replace(/:.*$/, '')) !== null);
      if (installed) queue.push(installed);
    }
  }
  return seen;
}
// What Debian's base image has: the required and essential packages, and apt.
const baseRoots = [...packageFields]
  .filter(([, fields]) => fields.priority === 'required' || fields.essential === 'yes')
  .map(([name]) => name)
  .concat(['apt']);
const covered = new Set([...closure(baseRoots), ...closure([...runtimePackages])]);

// The libraries each binary links, and the package that ships each library file, asked of dpkg
// in one call (Debian 12 has merged /usr: dpkg may know a file under /lib or /usr/lib, by either
// its linked or its real path).
const librariesOf = new Map();
for (const [name, binary] of Object.entries(binaries)) {
  if (!fs.existsSync(binary)) {
    fail(`${binary} is not built`);
    continue;
  }
  const libraries = [...run('ldd', [binary]).matchAll(/=>\s+(\/\S+)/g)].map((match) => match[1])
    // A sanitizer build (tools/test's second pass) links the sanitizers' runtimes, which no image has.
    .filter((library) => !/\/lib(asan|ubsan|lsan|tsan)\.so/.test(library));
  if (libraries.length < 5) fail(`${name}: ldd found only ${libraries.length} libraries`);
  librariesOf.set(name, libraries);
}
const spellingsOf = (file) => {
  const real = fs.realpathSync(file);
  return [file, `/usr${file}`, real, `/usr${real}`];
};
const allSpellings = [...new Set([...librariesOf.values()].flat().flatMap(spellingsOf))];
let dpkgSearch = '';
try {
  dpkgSearch = run('dpkg', ['-S', ...allSpellings]);
} catch (error) {
  dpkgSearch = `${error.stdout || ''}`;  // exits 1 when some spelling belongs to no package
}
const ownerOfPath = new Map();
for (const line of dpkgSearch.split('\n')) {
  const match = /^([^:\s,]+)(?::[^:\s,]+)?(?:, \S+?)*: (\/\S+)$/.exec(line);
  if (match) ownerOfPath.set(match[2], match[1]);
}
const packageOfFile = (file) => spellingsOf(file).map((candidate) => ownerOfPath.get(candidate)).find(Boolean) ?? null;
for (const [name, libraries] of librariesOf) {
  for (const library of libraries) {
    const owner = packageOfFile(library);
    if (owner === null) fail(`${name}: ${library} belongs to no Debian package`);
    else if (!covered.has(owner)) fail(`${name} links ${library} from ${owner}, which the runtime stage does not install`);
  }
}

// --- flags ------------------------------------------------------------------------------------

const flagCache = new Map();
function flagsOf(binary) {
  if (!flagCache.has(binary)) {
    let help = '';
    try {
      help = run(binaries[binary], ['--helpfull']);
    } catch (error) {
      help = `${error.stdout || ''}`;  // absl exits 1 after --helpfull
    }
    flagCache.set(binary, new Set([...help.matchAll(/^\s+--([a-z0-9_]+) \(/gm)].map((match) => match[1])));
  }
  return flagCache.get(binary);
}
function checkFlags(where, binary, args) {
  if (!(binary in binaries)) {
    fail(`${where}: runs ${binary}, which is not in the image`);
    return;
  }
  const known = flagsOf(binary);
  if (known.size < 10) fail(`${binary} --helpfull listed only ${known.size} flags`);
  for (const arg of args) {
    const match = /^--([a-z0-9_]+)(=|$)/.exec(arg);
    if (match && !known.has(match[1])) fail(`${where}: ${binary} has no flag --${match[1]}`);
  }
}
const flagValue = (args, name) => {
  const arg = args.find((candidate) => candidate.startsWith(`--${name}=`));
  return arg === undefined ? undefined : arg.slice(name.length + 3);
};

// --- compose ----------------------------------------------------------------------------------

const composePath = path.join(sourceDir, 'deploy/compose/compose.yaml');
const compose = yaml.load(fs.readFileSync(composePath, 'utf8'));
const ours = Object.entries(compose.services).filter(([, service]) => String(service.image).includes('ocop-trace'));
if (ours.length < 6) fail(`compose: expected our four services, the console and the key job, found ${ours.length}`);
const listening = {};
for (const [name, service] of ours) {
  const where = `compose ${name}`;
  if (service.read_only !== true) fail(`${where}: not read_only`);
  if (!/^[1-9][0-9]*(:|$)/.test(String(service.user))) fail(`${where}: runs as root (user ${service.user})`);
  const secrets = new Set((service.secrets || []).map((secret) => (typeof secret === 'string' ? secret : secret.source)));
  for (const secret of secrets) {
    if (!compose.secrets || !(secret in compose.secrets)) fail(`${where}: secret ${secret} is not defined`);
  }
  const command = service.command || [];
  if (command.length > 0) {
    const [binary, ...args] = command;
    checkFlags(where, binary, args);
    for (const arg of args) {
      const secret = /=\/run\/secrets\/([^/\s]+)$/.exec(arg);
      if (secret && !secrets.has(secret[1])) fail(`${where}: ${arg} reads a secret the service does not mount`);
      const shared = /=\/usr\/share\/ocop-trace\/registry\/(.+)$/.exec(arg);
      if (shared && !dockerfile.includes(path.basename(shared[1]))) {
        fail(`${where}: ${arg} names a file the Dockerfile does not copy`);
      }
    }
    if (binary in grpcPorts) {
      const listen = flagValue(args, 'listen');
      if (listen !== `0.0.0.0:${grpcPorts[binary]}`) fail(`${where}: --listen=${listen}, expected 0.0.0.0:${grpcPorts[binary]}`);
      listening[name] = Number(String(listen).split(':').pop());
      if (!flagValue(args, 'metrics_listen')) fail(`${where}: serves no /metrics (--metrics_listen)`);
      if (String(flagValue(args, 'db') || '').startsWith('postgresql://') &&
          !(service.environment && service.environment.PGPASSFILE) && !(compose['x-ocop'].environment.PGPASSFILE)) {
        fail(`${where}: PostgreSQL without PGPASSFILE`);
      }
    }
    if (binary === 'console' && !flagValue(args, 'metrics_listen')) fail(`${where}: serves no /metrics (--metrics_listen)`);
    if (binary === 'lookup' || binary === 'console') {
      const httpPort = flagValue(args, 'http_port');
      if (!(service.ports || []).some((port) => String(port).endsWith(`:${httpPort}`))) {
        fail(`${where}: --http_port=${httpPort} is not the published container port`);
      }
    }
  }
  const health = service.healthcheck && service.healthcheck.test;
  if (Array.isArray(health) && health[0] === 'CMD') {
    checkFlags(`${where} healthcheck`, health[1], health.slice(2));
    const target = flagValue(health.slice(2), 'target');
    if (target && command.length > 0 && Number(target.split(':').pop()) !== grpcPorts[command[0]]) {
      fail(`${where}: the health check asks ${target}, not the port the service listens on`);
    }
  }
}
// Addresses one service gives for another name that service and the port it listens on.
for (const [name, service] of ours) {
  const [binary, ...args] = service.command || [];
  if (!binary) continue;
  for (const peer of ['registry', 'batch', 'stamp']) {
    const address = flagValue(args, peer);
    if (address !== undefined && address !== `${peer}:${listening[peer]}`) {
      fail(`compose ${name}: --${peer}=${address}, but ${peer} listens on ${listening[peer]}`);
    }
  }
}
// The service-keys script's ocopctl calls.
const keyScript = fs.readFileSync(path.join(sourceDir, 'deploy/compose/init-service-keys.sh'), 'utf8');
const scriptFlags = [...keyScript.matchAll(/--[a-z_]+(?==)/g)].map((match) => match[0]);
if (scriptFlags.length < 5) fail('init-service-keys.sh: expected ocopctl calls with flags');
checkFlags('init-service-keys.sh', 'ocopctl', scriptFlags);
if (compose.services.redis && !/appendonly/.test(fs.readFileSync(path.join(sourceDir, 'deploy/compose/make-secrets'), 'utf8'))) {
  fail('compose: Redis runs without AOF (appendonly yes in make-secrets\' redis.conf)');
}

// --- Kubernetes -------------------------------------------------------------------------------

// kubernetes-models' class for an object (validate() checks it against the Kubernetes schema).
function modelOf(object) {
  try {
    return require(`kubernetes-models/${object.apiVersion}/${object.kind}`)[object.kind];
  } catch (error) {
    return null;
  }
}
const labelsMatch = (selector, labels) =>
  Object.entries((selector && selector.matchLabels) || {}).every(([key, value]) => labels[key] === value) &&
  ((selector && selector.matchExpressions) || []).every(
    (expression) => expression.operator === 'In' && expression.values.includes(labels[expression.key]));

function checkKubernetes(overlay) {
  const where = `k8s ${overlay}`;
  let rendered = '';
  try {
    rendered = run('kubectl', ['kustomize', path.join(sourceDir, overlay)]);
  } catch (error) {
    fail(`${where}: kubectl kustomize failed: ${error.stderr || error.message}`);
    return 0;
  }
  const objects = yaml.loadAll(rendered).filter(Boolean);
  for (const object of objects) {
    const Model = modelOf(object);
    if (Model === null) {
      fail(`${where}: no Kubernetes schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      fail(`${where}: ${object.kind} ${object.metadata.name} does not match its schema: ${error.message}`);
    }
  }
  const ofKind = (kind) => objects.filter((object) => object.kind === kind);
  const deployments = ofKind('Deployment');
  const workloads = [...deployments, ...ofKind('StatefulSet')];
  const configData = Object.assign({}, ...ofKind('ConfigMap').map((map) => map.data || {}));
  const servicePorts = {};  // Service name -> {port: container port number}
  for (const service of ofKind('Service')) {
    const pods = workloads.filter((workload) => labelsMatch({ matchLabels: service.spec.selector }, workload.spec.template.metadata.labels));
    if (pods.length === 0) fail(`${where}: Service ${service.metadata.name} selects no pods`);
    servicePorts[service.metadata.name] = {};
    for (const port of service.spec.ports) {
      const target = pods.flatMap((pod) => pod.spec.template.spec.containers.flatMap((container) => container.ports || []))
        .find((containerPort) => containerPort.name === port.targetPort || containerPort.containerPort === port.targetPort);
      if (!target) fail(`${where}: Service ${service.metadata.name} port ${port.name} targets no container port`);
      else servicePorts[service.metadata.name][port.port] = target.containerPort;
    }
  }
  let ourDeployments = 0;
  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const pod = deployment.spec.template.spec;
    for (const container of pod.containers) {
      if (!container.image.includes('ocop-trace')) continue;
      ++ourDeployments;
      const at = `${where} ${name}`;
      const [binary] = container.command || [];
      const args = container.args || [];
      checkFlags(at, binary, args);
      if (!(pod.securityContext && pod.securityContext.runAsNonRoot)) fail(`${at}: not runAsNonRoot`);
      if (!(container.securityContext && container.securityContext.readOnlyRootFilesystem)) {
        fail(`${at}: root filesystem not read-only`);
      }
      const env = new Set([...Object.keys(configData), ...(container.env || []).map((variable) => variable.name)]);
      const ports = new Map((container.ports || []).map((port) => [port.containerPort, port.name]));
      for (const arg of args) {
        for (const variable of arg.matchAll(/\$\(([A-Z_]+)\)/g)) {
          if (!env.has(variable[1])) fail(`${at}: ${arg} uses $(${variable[1]}), which nothing defines`);
        }
        const file = /^--[a-z_]+=(\/etc\/ocop-trace\/.+)$/.exec(arg);
        if (file) {
          const mount = (container.volumeMounts || []).find((candidate) => file[1].startsWith(`${candidate.mountPath}/`) || file[1] === candidate.mountPath);
          const volume = mount && pod.volumes.find((candidate) => candidate.name === mount.name);
          if (!mount || !volume || !volume.secret) fail(`${at}: ${arg} is not in a mounted Secret`);
          else if (!mount.readOnly) fail(`${at}: ${mount.mountPath} is not mounted read-only`);
          else if (![0o400, 0o440].includes(volume.secret.defaultMode)) {
            fail(`${at}: Secret ${volume.secret.secretName} mode ${volume.secret.defaultMode.toString(8)}, not 0440 or 0400`);
          }
        }
        const shared = /=\/usr\/share\/ocop-trace\/registry\/(.+)$/.exec(arg);
        if (shared && !dockerfile.includes(path.basename(shared[1]))) fail(`${at}: ${arg} names a file the image lacks`);
      }
      const metrics = Number(String(flagValue(args, 'metrics_listen') || '').split(':').pop());
      if (ports.get(metrics) !== 'metrics') fail(`${at}: /metrics (${metrics}) is not a container port named metrics`);
      if ((binary === 'lookup' || binary === 'console') && ports.get(Number(flagValue(args, 'http_port'))) !== 'http') {
        fail(`${at}: --http_port is not the container port named http`);
      }
      if (binary === 'console') {
        // HTTP only: probes ask /healthz on the http port.
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
          const get = container[probe] && container[probe].httpGet;
          if (!get || get.path !== '/healthz' || get.port !== 'http') fail(`${at}: ${probe} does not ask GET /healthz on http`);
        }
      } else {
        const listen = Number(String(flagValue(args, 'listen') || '').split(':').pop());
        if (listen !== grpcPorts[binary]) fail(`${at}: --listen port ${listen}, expected ${grpcPorts[binary]}`);
        if (ports.get(listen) !== 'grpc') fail(`${at}: the gRPC port ${listen} is not a container port named grpc`);
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
          const grpc = container[probe] && container[probe].grpc;
          if (!grpc || grpc.port !== listen) fail(`${at}: ${probe} does not ask gRPC health on ${listen}`);
        }
      }
      for (const peer of ['registry', 'batch', 'stamp']) {
        const address = flagValue(args, peer);
        if (address === undefined) continue;
        const [host, port] = address.split(':');
        if (!servicePorts[host] || servicePorts[host][Number(port)] !== grpcPorts[peer]) {
          fail(`${at}: --${peer}=${address} does not reach ${peer}'s gRPC port through a Service`);
        }
      }
    }
  }
  if (ourDeployments !== 5) fail(`${where}: expected the four services' and the console's Deployments, found ${ourDeployments}`);
  // Only lookup's HTTP may be open to everyone.
  for (const policy of ofKind('NetworkPolicy')) {
    for (const rule of policy.spec.ingress || []) {
      if (rule.from && rule.from.length > 0) continue;
      const opened = workloads.filter((workload) => labelsMatch(policy.spec.podSelector, workload.spec.template.metadata.labels));
      const ports = (rule.ports || []).map((port) => port.port);
      if (opened.some((workload) => workload.metadata.name !== 'lookup') || ports.length !== 1 || ports[0] !== 8080) {
        fail(`${where}: NetworkPolicy ${policy.metadata.name} opens ${ports.join(',') || 'every port'} of ${opened.map((w) => w.metadata.name).join(',')} to everyone`);
      }
    }
  }
  if (ofKind('NetworkPolicy').every((policy) => Object.keys(policy.spec.podSelector).length > 0 &&
      !(policy.spec.podSelector.matchLabels && Object.keys(policy.spec.podSelector.matchLabels).every((key) => key === 'app.kubernetes.io/part-of')))) {
    fail(`${where}: no default-deny NetworkPolicy over every pod`);
  }
  for (const hpa of ofKind('HorizontalPodAutoscaler')) {
    if (!deployments.some((deployment) => deployment.metadata.name === hpa.spec.scaleTargetRef.name)) {
      fail(`${where}: HorizontalPodAutoscaler ${hpa.metadata.name} scales nothing`);
    }
  }
  for (const budget of ofKind('PodDisruptionBudget')) {
    if (!workloads.some((workload) => labelsMatch(budget.spec.selector, workload.spec.template.metadata.labels))) {
      fail(`${where}: PodDisruptionBudget ${budget.metadata.name} covers no pods`);
    }
  }
  return objects.length;
}
const kubernetesObjects = ['k8s/base', 'k8s/overlays/production'].map(checkKubernetes);

if (failures.length > 0) {
  for (const failure of failures) console.log(`FAIL ${failure}`);
  process.exit(1);
}
console.log(`deployment files ok: ${ours.length} compose services, ${runtimePackages.size} runtime packages, ` +
            `${kubernetesObjects.join(' and ')} Kubernetes objects (base, production)`);
