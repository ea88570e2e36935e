#!/usr/bin/env bash
# Re-creates the vendored JavaScript-world files from npm, pinned (developers only: building,
# testing and running contrack never need npm; the results are committed):
#   web/vendor/govuk-frontend/govuk-frontend.min.css  GOV.UK Frontend compiled with a system font
#   tests/browser/vendor/axe-core/                    axe-core for the accessibility test
set -euo pipefail
cd "$(dirname "$0")/.."
GOVUK_FRONTEND=6.6.0
AXE_CORE=4.14.1
SASS=1.108.2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "govuk-frontend@$GOVUK_FRONTEND" "axe-core@$AXE_CORE" >/dev/null &&
  npm install --silent --no-save "sass@$SASS" >/dev/null &&
  mkdir gf ax && tar xzf "govuk-frontend-$GOVUK_FRONTEND.tgz" -C gf && tar xzf "axe-core-$AXE_CORE.tgz" -C ax)
cp web/vendor/govuk-frontend/contrack-govuk.scss "$work/"
(cd "$work" && node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=. \
  contrack-govuk.scss govuk-frontend.min.css)
if grep -q "GDS Transport" "$work/govuk-frontend.min.css"; then
  echo "vendor-web: the compiled CSS still names GDS Transport" >&2
  exit 1
fi
cp "$work/govuk-frontend.min.css" web/vendor/govuk-frontend/
cp "$work/ax/package/axe.min.js" "$work/ax/package/LICENSE" "$work/ax/package/LICENSE-3RD-PARTY.txt" \
  tests/browser/vendor/axe-core/
echo "vendored govuk-frontend $GOVUK_FRONTEND (compiled with sass $SASS) and axe-core $AXE_CORE"
