#!/usr/bin/env bash
# Makes docs/dashboard.png: the dashboard of a busy run (8 workers, DemoJob from the test jobs,
# one retry per item) about ten seconds in, taken with the Playwright driver the test project
# restores (its bundled node) and Debian's headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium="${DIVVY_CHROMIUM:-/usr/bin/chromium}"
dotnet build tests/Divvy.Tests -c Release -nologo -v q >/dev/null
playwright=tests/Divvy.Tests/bin/Release/net10.0/.playwright
port=$(( 48000 + RANDOM % 1000 ))
src/Divvy.Cli/bin/Release/net10.0/Divvy.Cli -n 8 --dashboard "$port" --retries 1 --control-token demo-token-1 \
  --job DemoJob tests/Divvy.Tests.Jobs/bin/Release/net10.0/Divvy.Tests.Jobs.dll 5000 >/dev/null 2>&1 &
master=$!
trap 'kill "$master" 2>/dev/null; wait "$master" 2>/dev/null || true' EXIT
sleep 4
"$playwright/node/linux-x64/node" - "$PWD/$playwright/package" "$chromium" "http://127.0.0.1:$port/" "$PWD/docs/dashboard.png" <<'JS'
const [, , pkg, executablePath, url, path] = process.argv;
const { chromium } = require(pkg);
(async () => {
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1180 } });
  await page.goto(url);
  await page.waitForTimeout(9000);
  await page.screenshot({ path });
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
JS
echo "wrote docs/dashboard.png"
