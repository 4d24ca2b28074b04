/**
 * Makes sure Chromium is there for the end-to-end tests: finds it (CHROMIUM_PATH, /usr/bin/chromium,
 * or on PATH); on a Debian-like machine as root it installs Debian's package; otherwise it says how
 * and exits non-zero (the tests are never silently skipped).
 */
const candidates = [Deno.env.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
  .filter((p): p is string => Boolean(p));

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[]): Promise<boolean> {
  const { success } = await new Deno.Command(cmd, { args, stdout: "inherit", stderr: "inherit" })
    .output();
  return success;
}

for (const path of candidates) if (await exists(path)) Deno.exit(0);

const root = Deno.uid() === 0;
if (root && await exists("/usr/bin/apt-get")) {
  console.log("Chromium not found: installing Debian's chromium for the end-to-end tests…");
  const ok = await run("apt-get", ["update"]) &&
    await run("apt-get", [
      "install",
      "-y",
      "--no-install-recommends",
      "chromium",
      "fonts-liberation",
    ]);
  if (ok && await exists("/usr/bin/chromium")) Deno.exit(0);
}
console.error(
  "Chromium is needed for the end-to-end tests and was not found.\n" +
    "Install it (Debian/Ubuntu: `sudo apt-get install -y --no-install-recommends chromium fonts-liberation`)\n" +
    "or point CHROMIUM_PATH at a Chromium/Chrome binary, then run the tests again.",
);
Deno.exit(1);
