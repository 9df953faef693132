// Bundle the SPA into dist/: one script (msal-browser included), its page and stylesheet.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { build } from "esbuild";

const out = new URL("./dist/", import.meta.url);
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL("./src/spa.js", import.meta.url).pathname],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: false,
  outfile: new URL("spa.js", out).pathname,
  logLevel: "warning",
});
for (const name of ["index.html", "spa.css"]) {
  await copyFile(new URL(`./src/${name}`, import.meta.url), new URL(name, out));
}
