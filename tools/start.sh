#!/usr/bin/env bash
# The main job: install what is missing, build, create the data directory with the demo data set
# (reused when it exists), make bearer tokens for an officer, an auditor and an admin and a calendar
# token for the officer (reused when the tokens file exists), print them with curl examples and the
# officer's calendar subscription address, and run contrackd in the foreground on
# 127.0.0.1:8080 until Ctrl-C. The web interface is served at the same address.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${CONTRACK_DATA:-data}
TOKENS=${CONTRACK_TOKENS:-tokens.json}
LISTEN=${CONTRACK_LISTEN:-127.0.0.1:8080}

tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target contrack contrackd

./build/contrack --data "$DATA" demo

random_token() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
if [[ ! -f "$TOKENS" ]]; then
  (
    umask 077
    cat >"$TOKENS" <<JSON
{"tokens":[
 {"token":"officer-$(random_token)","principal":"leeds-officer","role":"officer","authorities":["Leeds City Council"],"calendar_token":"calendar-$(random_token)"},
 {"token":"auditor-$(random_token)","principal":"internal-audit","role":"auditor"},
 {"token":"admin-$(random_token)","principal":"operator","role":"admin","authorities":["*"]}
]}
JSON
  )
  echo "wrote $TOKENS (mode 600)"
fi
token_of() { python3 -c 'import json,sys; print(next(t["token"] for t in json.load(open(sys.argv[1]))["tokens"] if t["role"]==sys.argv[2]))' "$TOKENS" "$1"; }
OFFICER=$(token_of officer)
AUDITOR=$(token_of auditor)
ADMIN=$(token_of admin)
CALENDAR=$(python3 -c 'import json,sys; print(next(t.get("calendar_token","") for t in json.load(open(sys.argv[1]))["tokens"] if t["role"]=="officer"))' "$TOKENS")
URL="http://$LISTEN"
if [[ -n "$CALENDAR" ]]; then
  CALENDAR_LINE="  $URL/v1/calendar.ics?token=$CALENDAR"
else
  CALENDAR_LINE="  (add a \"calendar_token\" to the officer's entry in $TOKENS, then restart or send SIGHUP)"
fi

cat <<TXT

contrack is starting on $URL with the data in $DATA.

Open $URL/ in a browser and sign in with the officer token below (or the auditor's, to
replay histories and verify the log). The page exchanges it for a session cookie; see docs/web.md.

Tokens (from $TOKENS):
  officer (Leeds City Council): $OFFICER
  auditor:                      $AUDITOR
  admin:                        $ADMIN

Try, in another terminal:
  # 1. the Leeds CRI interim contract (seed 001) as it stands
  curl -s -H "Authorization: Bearer $OFFICER" $URL/v1/contracts/LCC-DIP-CRI-2015

  # 2. the officer exercises its first six-month option: 201, then the state shows 2016-09-30
  curl -s -X POST -H "Authorization: Bearer $OFFICER" -H "Content-Type: application/json" \\
    -d '{"events":[{"event_id":"5b1e2c3d-0000-4000-8000-000000000001","effective_date":"2016-03-01","decision":{"reference":"LCC-EXT-1","maker":"Director of Environment & Housing"},"extension":{"new_end_date":"2016-09-30","value_pence_added":36433900}}]}' \\
    $URL/v1/contracts/LCC-DIP-CRI-2015/events

  # 3. the auditor reads everything but never writes: the same kind of append answers 403
  curl -s -X POST -H "Authorization: Bearer $AUDITOR" -H "Content-Type: application/json" \
    -d '{"events":[{"effective_date":"2016-09-01","extension":{"new_end_date":"2017-03-31"}}]}' \
    $URL/v1/contracts/LCC-DIP-CRI-2015/events

  # the officer's deadlines as an iCalendar file (decisions and notices due, next 12 months):
  curl -s -H "Authorization: Bearer $OFFICER" "$URL/v1/calendar.ics?months=12"

  # the CLI speaks to the service too:
  ./build/contrack --url $URL --token $AUDITOR history LCC-DIP-CRI-2015

Calendar subscription for the officer (Outlook: Add calendar > Subscribe from web; any calendar
that subscribes to an address; the calendar token in it reads this calendar only):
$CALENDAR_LINE

Stop with Ctrl-C (in-flight requests finish, the store closes cleanly).
TXT

exec ./build/contrackd --listen "$LISTEN" --data "$DATA" --tokens "$TOKENS"
