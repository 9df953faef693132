// Validates Gateway API manifests against the Gateway API v1 schemas that
// @kubernetes-models/gateway-api ships (package.json pins it). Reads a JSON array of
// manifests on stdin; prints one line per invalid manifest and exits 1 if any is invalid,
// 2 if a manifest's kind or version has no schema here.
import { readFileSync } from "node:fs";
import * as v1 from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";

const MODELS = { "gateway.networking.k8s.io/v1": v1 };

function problemOf(manifest) {
  const model = MODELS[manifest.apiVersion]?.[manifest.kind];
  if (model === undefined) {
    return { code: 2, message: `no schema for ${manifest.apiVersion} ${manifest.kind}` };
  }
  try {
    new model(manifest).validate();
    return null;
  } catch (error) {
    return { code: 1, message: error.message };
  }
}

const manifests = JSON.parse(readFileSync(0, "utf8"));
let exitCode = 0;
for (const manifest of manifests) {
  const problem = problemOf(manifest);
  if (problem !== null) {
    console.log(`${manifest.kind}/${manifest.metadata?.name}: ${problem.message}`);
    exitCode = Math.max(exitCode, problem.code);
  }
}
process.exit(exitCode);
