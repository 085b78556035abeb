// Validates Kubernetes manifests against the API's JSON schemas (kubernetes-models), offline: no cluster, no schema
// download. Types, required fields and enums are checked; unknown fields are not (the API's schemas allow them, and
// only a server's strict field validation refuses them). Prints "valid <file> <apiVersion/kind> <name>" or
// "INVALID ...", exits 1 when any document is invalid. KubernetesManifestTests runs it over deploy/k8s.
//   node validate-k8s.mjs deploy/k8s/*.yaml
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { Service } from 'kubernetes-models/v1/Service';
import { Secret } from 'kubernetes-models/v1/Secret';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
const models = { 'v1/Service': Service, 'v1/Secret': Secret, 'apps/v1/StatefulSet': StatefulSet, 'policy/v1/PodDisruptionBudget': PodDisruptionBudget };
let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const obj = doc.toJS();
    const key = `${obj.apiVersion}/${obj.kind}`;
    try {
      if (!models[key]) throw new Error(`no schema for ${key}`);
      new models[key](obj).validate();
      console.log(`valid ${path.basename(file)} ${key} ${obj.metadata.name}`);
    } catch (e) {
      failed++;
      console.log(`INVALID ${path.basename(file)} ${key}: ${e.message}`);
    }
  }
}
process.exit(failed ? 1 : 0);
