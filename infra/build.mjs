// Lints every Bicep file under infra/, compiles infra/main.bicep to .artifacts/infra/main.json and
// evaluates the compiled template with each infra/samples/*.bicepparam into a snapshot of the
// resources it would deploy (.artifacts/infra/samples/<name>.snapshot.json). Any linter or
// compiler warning or error fails the build.
//
// The Bicep CLI is `bicep` from PATH when there is one. Otherwise the .NET SDK restores the pinned
// version below from NuGet into .tools/. Nothing here talks to Azure: build, lint and snapshot run
// offline, and the restore only contacts the NuGet feeds configured for dotnet.
//
// Usage: node infra/build.mjs [--if-stale]
//   --if-stale  do nothing when every output is newer than every input (used by the tests).

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BICEP_VERSION = '0.49.2';
const BICEP_PACKAGE = 'Azure.Bicep.CommandLine.linux-x64';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const infraDir = join(root, 'infra');
const samplesDir = join(infraDir, 'samples');
const outDir = join(root, '.artifacts', 'infra');
const toolsDir = join(root, '.tools', 'bicep');
const restoredBicep = join(
  toolsDir,
  'packages',
  BICEP_PACKAGE.toLowerCase(),
  BICEP_VERSION,
  'tools',
  'bicep',
);

// Fixed ids for snapshots; the evaluation needs some, and no deployment ever uses them.
const snapshotScope = [
  '--subscription-id',
  '00000000-0000-0000-0000-00000000aaaa',
  '--tenant-id',
  '00000000-0000-0000-0000-00000000bbbb',
  '--location',
  'westeurope',
  '--deployment-name',
  'connector',
];

class BuildError extends Error {}

function listFiles(dir, suffix) {
  return readdirSync(dir, { recursive: true })
    .map((entry) => join(dir, String(entry)))
    .filter((path) => path.endsWith(suffix))
    .sort();
}

function inputFiles() {
  return [
    ...readdirSync(infraDir, { recursive: true })
      .map((entry) => join(infraDir, String(entry)))
      .filter((path) => statSync(path).isFile()),
    join(root, 'bicepconfig.json'),
  ];
}

function outputFiles() {
  const samples = listFiles(samplesDir, '.bicepparam');
  return [
    join(outDir, 'main.json'),
    ...samples.map((path) =>
      join(outDir, 'samples', basename(path).replace(/\.bicepparam$/, '.snapshot.json')),
    ),
  ];
}

function isStale() {
  const outputs = outputFiles();
  if (!outputs.every((path) => existsSync(path))) return true;
  const oldestOutput = Math.min(...outputs.map((path) => statSync(path).mtimeMs));
  const newestInput = Math.max(...inputFiles().map((path) => statSync(path).mtimeMs));
  return newestInput > oldestOutput;
}

/** Returns the version line of a Bicep executable, or undefined when it does not run. */
function bicepVersion(command) {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function restoreBicep() {
  const dotnet = spawnSync('dotnet', ['--version'], { encoding: 'utf8' });
  if (dotnet.status !== 0) {
    throw new BuildError(
      `No Bicep CLI on PATH and no .NET SDK to restore ${BICEP_PACKAGE} ${BICEP_VERSION} with. ` +
        'Install the Bicep CLI (az bicep install, or azd, which brings it) or the .NET SDK, then rerun.',
    );
  }
  // The restore needs a target framework that the installed SDK supports, such as its own version.
  const major = dotnet.stdout.trim().split('.')[0];

  const project = join(toolsDir, 'restore.csproj');
  mkdirSync(toolsDir, { recursive: true });
  writeFileSync(
    project,
    [
      '<Project Sdk="Microsoft.NET.Sdk">',
      `  <PropertyGroup><TargetFramework>net${major}.0</TargetFramework><NuGetAudit>false</NuGetAudit></PropertyGroup>`,
      `  <ItemGroup><PackageDownload Include="${BICEP_PACKAGE}" Version="[${BICEP_VERSION}]" /></ItemGroup>`,
      '</Project>',
      '',
    ].join('\n'),
  );

  console.log(
    `Restoring ${BICEP_PACKAGE} ${BICEP_VERSION} from NuGet into ${relative(root, toolsDir)}/`,
  );
  const restore = spawnSync(
    'dotnet',
    ['restore', project, '--packages', join(toolsDir, 'packages'), '--nologo'],
    {
      encoding: 'utf8',
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
    },
  );

  if (restore.status !== 0 || !existsSync(restoredBicep)) {
    throw new BuildError(
      `Restoring ${BICEP_PACKAGE} ${BICEP_VERSION} failed (dotnet restore exit code ${restore.status}). ` +
        'Check that a NuGet feed is reachable, or install the Bicep CLI on PATH. dotnet output:\n' +
        `${restore.stdout}${restore.stderr}`,
    );
  }
  // A nupkg is a zip, which keeps no execute bit.
  chmodSync(restoredBicep, 0o755);
}

function findBicep() {
  const onPath = bicepVersion('bicep');
  if (onPath !== undefined) {
    if (!onPath.includes(BICEP_VERSION)) {
      console.warn(`Using ${onPath} from PATH; the pinned version is ${BICEP_VERSION}.`);
    }
    return { command: 'bicep', version: onPath };
  }
  if (bicepVersion(restoredBicep) === undefined) restoreBicep();
  const version = bicepVersion(restoredBicep);
  if (version === undefined) {
    throw new BuildError(`The restored Bicep CLI at ${restoredBicep} does not run.`);
  }
  return { command: restoredBicep, version };
}

/**
 * Runs one Bicep command and returns its warnings and errors. Bicep writes one line per
 * diagnostic, as `<file>(<line>,<column>) : <Level> <code>: <message>`, to stderr.
 */
function runBicep(bicep, args) {
  const result = spawnSync(bicep.command, args, { cwd: root, encoding: 'utf8' });
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.trim());
  const diagnostics = lines.filter((line) => / : (Error|Warning|Info) /.test(line));
  const problems = diagnostics.filter((line) => / : (Error|Warning) /.test(line));
  if (result.status !== 0 && problems.length === 0) {
    problems.push(`bicep ${args.join(' ')} exited with code ${result.status}:`, ...lines);
  }
  return problems;
}

function snapshotSample(bicep, sample) {
  const name = basename(sample, '.bicepparam');
  const samplesOut = join(outDir, 'samples');
  mkdirSync(samplesOut, { recursive: true });
  // Point the copy at the compiled template, so the snapshot evaluates exactly main.json.
  const source = readFileSync(sample, 'utf8');
  const usingLine = /^using\s+'[^']*'\s*$/m;
  if (!usingLine.test(source)) {
    throw new BuildError(`${relative(root, sample)} has no "using '<file>'" line.`);
  }
  const copy = join(samplesOut, `${name}.bicepparam`);
  writeFileSync(copy, source.replace(usingLine, "using '../main.json'"));
  return runBicep(bicep, ['snapshot', copy, '--mode', 'overwrite', ...snapshotScope]);
}

function build() {
  const bicep = findBicep();
  console.log(`Bicep CLI: ${bicep.version}`);
  mkdirSync(outDir, { recursive: true });

  // A module's diagnostics repeat for every file that uses it, so duplicates are dropped.
  const problems = new Set();
  const report = (lines) => lines.forEach((line) => problems.add(line));
  // One process per pattern: each Bicep start costs about a second.
  for (const pattern of ['infra/**/*.bicep', 'infra/**/*.bicepparam']) {
    report(runBicep(bicep, ['lint', '--pattern', pattern]));
  }
  report(runBicep(bicep, ['build', 'infra/main.bicep', '--outfile', join(outDir, 'main.json')]));
  if (problems.size === 0) {
    for (const sample of listFiles(samplesDir, '.bicepparam')) {
      report(snapshotSample(bicep, sample));
    }
  }
  if (problems.size > 0) {
    throw new BuildError(
      `Bicep reported ${problems.size} warning(s) or error(s); fix them, warnings included:\n` +
        [...problems].join('\n'),
    );
  }
  console.log(`Built ${relative(root, join(outDir, 'main.json'))} and the sample snapshots.`);
}

try {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
  build();
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(error.message);
  process.exit(1);
}
