# Shared by tools/quickstart (one process per service, SQLite) and tools/cluster (two replicas of
# every service on PostgreSQL behind nginx): background processes, demo secrets, the services' API
# keys, and the demo data. Sourced, not run.
#
# The sourcing script sets, before calling anything here:
#   data, data_abs   the data folder (as given, and absolute)
#   bin              the build folder holding services/ and tools/ocopctl
#   ctl_flags        (array) extra ocopctl flags, e.g. the service addresses
#   OCOP_CREDENTIALS the admin's session file

pids=()
stop_hooks=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "$(basename "$0"): stopping ${#pids[@]} processes"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for hook in "${stop_hooks[@]}"; do "$hook" || true; done
}

start() {  # name, command...: runs it in the background, its output appended to logs/{name}.log
  local name=$1
  shift
  "$@" >>"$data/logs/$name.log" 2>&1 &
  pids+=($!)
}

# Like start, but restarts the command one second after it exits, as systemd's Restart=always or a
# Kubernetes Deployment would. run/{name}.pid holds the process id of the current run.
supervise() {  # name, command...
  local name=$1
  shift
  (
    child=0
    trap 'kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
    while :; do
      "$@" >>"$data/logs/$name.log" 2>&1 &
      child=$!
      echo "$child" >"$data/run/$name.pid"
      status=0
      wait "$child" || status=$?
      echo "$(date -u +%FT%TZ) $(basename "$0"): $name exited with status $status; restarting in 1 s" \
        >>"$data/logs/$name.log"
      sleep 1
    done
  ) &
  pids+=($!)
}

wait_for_port_file() {  # file, name
  for _ in $(seq 1 300); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  echo "$(basename "$0"): $2 did not start; see $data/logs/$2.log:" >&2
  tail -5 "$data/logs/$2.log" >&2
  exit 1
}

# Demo passwords: random, made once, kept 0600 in a 0700 folder (never flag values or logs).
make_demo_secrets() {
  mkdir -p "$data/secrets" && chmod 700 "$data/secrets"
  for who in admin producer office "$@"; do
    if [ ! -s "$data/secrets/$who-password" ]; then
      (umask 077 && head -c 18 /dev/urandom | base64 >"$data/secrets/$who-password")
    fi
  done
}

ctl() {  # ocopctl as the admin (OCOP_CREDENTIALS)
  "$bin/tools/ocopctl" "$@" "${ctl_flags[@]}" || {
    echo "$(basename "$0"): loading the demo failed (see above); if $data/ comes from an older version, run $0 --reset" >&2
    return 1
  }
}

# Every call is authenticated (docs/identity.md). The admin signs in; each other service gets its
# own API key (role service) once, kept 0600 beside the passwords.
create_service_keys() {
  ctl login --username=admin --password_file="$data/secrets/admin-password" >/dev/null
  for service in batch stamp lookup; do
    if [ ! -s "$data/secrets/$service.key" ]; then
      local svc_user key
      svc_user=$(ctl create-user --request_id="quickstart-svc-$service" --username="svc-$service" \
        --user_role=service --display_name="$service service")
      key=$(ctl create-api-key --user="$svc_user" --display_name="$service (quickstart)")
      (umask 077 && echo "${key#* }" >"$data/secrets/$service.key")
    fi
  done
}

# Loads the Thái Nguyên demo (idempotent: fixed request ids, the register matched by external_id)
# and prints what it made. Arguments: the public HTTP port, and how to name ocopctl's address flags
# in the printed commands ("" on the default ports).
load_demo() {  # http_port, printed ocopctl flags
  local http_port=$1 shown_flags=${2:-}
  echo "$(basename "$0"): loading demo data (Thái Nguyên)"
  local tea_coop honey wine tea area season batch roll serial url order
  tea_coop=$(ctl create-producer --request_id=demo-producer-tea --kind=cooperative \
    --display_name="HTX Chè Tân Cương (demo)" --province_code=19 --province_name="Tỉnh Thái Nguyên" \
    --commune_code=05503 --commune_name="Xã Tân Cương" --street="Xóm Nam Thái" --phone="0208 3000 001")
  honey=$(ctl create-producer --request_id=demo-producer-honey --kind=cooperative_group \
    --display_name="Tổ hợp tác Mật ong Định Hoá (demo)" --province_code=19 --province_name="Tỉnh Thái Nguyên" \
    --commune_code=05569 --commune_name="Xã Định Hoá" --street="Thôn Bản Pình")
  wine=$(ctl create-producer --request_id=demo-producer-wine --kind=household \
    --display_name="Hộ kinh doanh Rượu men lá Ba Bể (demo)" --province_code=19 --province_name="Tỉnh Thái Nguyên" \
    --commune_code=01906 --commune_name="Xã Ba Bể" --street="Bản Pác Ngòi")
  tea=$(ctl create-product --request_id=demo-product-tea --producer="$tea_coop" --group=food --category=I.5.a \
    --display_name="Chè Tân Cương đặc biệt" --description="Chè búp xanh sao suốt, vùng chè Tân Cương." \
    --score=78 --certificate="DEMO-TN-OCOP-0001" --decision_number="DEMO-101/QĐ-UBND" --decision_date=2025-07-01)
  ctl create-product --request_id=demo-product-honey --producer="$honey" --group=food --category=I.2.b \
    --display_name="Mật ong hoa rừng Định Hoá" --score=62 --council_level=district --certificate="DEMO-TN-OCOP-0002" --decision_number="DEMO-102/QĐ-UBND" --decision_date=2024-12-31 >/dev/null
  ctl create-product --request_id=demo-product-wine --producer="$wine" --group=beverages --category=II.1.a \
    --display_name="Rượu men lá Ba Bể" --score=55 --council_level=district --certificate="DEMO-TN-OCOP-0003" --decision_number="DEMO-103/QĐ-UBND" --decision_date=2024-09-30 >/dev/null

  # The tea's growing area and its spring season: farm events come before any lot exists, then the
  # harvest turns the season into a lot (its first event).
  area=$(ctl create-area --request_id=demo-area-tea --producer="$tea_coop" --area_code=VN-TN-05503-001 \
    --commune_code=05503 --latitude=21.5872 --longitude=105.7713 --area_hectares=3.2 --crop="Chè Trung du")
  season=$(ctl create-season --request_id=demo-season-tea --area="$area" --label="Vụ xuân 2026" --start_date=2026-02-01)
  ctl append-event --request_id=demo-farm-1 --season="$season" --biz_step=ocop:pruning \
    --event_time=2026-02-03T07:00:00+07:00 --location="Đồi chè xóm Nam Thái" --location_commune=05503 >/dev/null
  ctl append-event --request_id=demo-farm-2 --season="$season" --biz_step=ocop:fertilizing \
    --event_time=2026-02-20T07:30:00+07:00 --location="Đồi chè xóm Nam Thái" --location_commune=05503 \
    --detail=fertilizer="Phân hữu cơ vi sinh",kg_per_ha=1500 >/dev/null
  ctl append-event --request_id=demo-farm-3 --season="$season" --biz_step=ocop:spraying \
    --event_time=2026-03-01T16:00:00+07:00 --location="Đồi chè xóm Nam Thái" --location_commune=05503 \
    --detail=pesticide="Chế phẩm sinh học Bt",pre_harvest_interval_days=7 >/dev/null
  batch=$(ctl create-batch --request_id=demo-batch-tea --product="$tea" --lot_code=TC-2026-03-A \
    --harvest_date=2026-03-14 --expiry_date=2027-03-13 --quantity=250 --unit=kg --package_count=100 \
    --source_season="$season" --certification=vietgap:VietGAP-TT-19-05-0042:2027-12-31)
  ctl append-event --request_id=demo-event-2 --batch="$batch" --biz_step=ocop:processing \
    --event_time=2026-03-14T14:00:00+07:00 --location="Xưởng sao chè HTX" --location_commune=05503 \
    --detail=method=sao_suot >/dev/null
  ctl append-event --request_id=demo-event-3 --batch="$batch" --biz_step=packing \
    --event_time=2026-03-16T09:00:00+07:00 --location="Xưởng đóng gói HTX" --location_commune=05503 >/dev/null
  roll=$(ctl issue-roll --request_id=demo-roll-tea --batch="$batch" --count=100)
  # A sign-in for the tea cooperative: stamps (their tokens and PINs) stream only to the producer or
  # the printer its roll is assigned to, never to an admin.
  ctl create-user --request_id=demo-user-tea --username=htx-tancuong --user_role=producer \
    --producer="$tea_coop" --display_name="HTX Chè Tân Cương (demo)" \
    --password_file="$data/secrets/producer-password" >/dev/null
  # A sign-in for Thái Nguyên's provincial OCOP office (the web console's other kind of user).
  ctl create-user --request_id=demo-user-office --username=vp-ocop-tn --user_role=office --province_code=19 \
    --display_name="Văn phòng OCOP Thái Nguyên (demo)" --password_file="$data/secrets/office-password" >/dev/null
  as_producer() {
    OCOP_CREDENTIALS="$data_abs/secrets/producer-credentials" ctl "$@"
  }
  as_producer login --username=htx-tancuong --password_file="$data/secrets/producer-password" >/dev/null
  # Rendering is recorded and a stamp is rendered once: the second format of the same stamp is a
  # reprint, which an admin orders with a reason. On a rerun the files from the first run are kept.
  if [ ! -s "$data/stamps/urls.txt" ]; then
    mkdir -p "$data/stamps"
    as_producer export-stamps --roll="$roll" --count=1 --format=png --printer=quickstart --out_dir="$data/stamps" >/dev/null
    read -r serial _ < <(head -1 "$data/stamps/urls.txt")
    order=$(ctl order-reprint --roll="$roll" --first_serial="$serial" --count=1 \
      --reason="demo: the same stamp as SVG too")
    as_producer export-stamps --roll="$roll" --count=1 --first_serial="$serial" --format=svg --printer=quickstart \
      --reprint_order="$order" --out_dir="$data/stamps" >/dev/null
  fi
  read -r serial url < <(head -1 "$data/stamps/urls.txt")

  # The province's register: matched by external_id, so a rerun changes nothing.
  echo "$(basename "$0"): importing the Thái Nguyên OCOP register (deploy/demo: 172 producers, 279 products)"
  ctl import --producers=deploy/demo/thai-nguyen-producers.csv --products=deploy/demo/thai-nguyen-products.csv >/dev/null
  ctl set-sales-points --sales_points_file=deploy/demo/thai-nguyen-sales-points.textproto >/dev/null
  ctl set-product-ideas --product_ideas_file=deploy/demo/thai-nguyen-product-ideas.textproto >/dev/null
  ctl set-plan --plan_file=deploy/demo/thai-nguyen-plan-2021-2025.textproto >/dev/null
  ctl set-plan --plan_file=deploy/demo/hoa-binh-plan-2021-2030.textproto >/dev/null
  # The first 50 stamps are applied to packages; the other 50 stay issued (not yet activated).
  ctl activate-stamps --request_id=demo-activate-tea --roll="$roll" --first_serial="$serial" --count=50 >/dev/null

  local ocopctl="$bin/tools/ocopctl"
  cat <<TXT

$(basename "$0"): demo loaded
  producer  $tea_coop (HTX Chè Tân Cương, 4-star tea $tea)
  season    $season (3 farm events)
  batch     $batch (lot TC-2026-03-A harvested from it, 3 events)
  roll      $roll (100 stamps; the first 50 activated)
  stamp     serial $serial, QR code in $data/stamps/$serial.png and $data/stamps/$serial.svg

  Scan URL (open in a browser):
    $url
  Resolve it from a shell:
    curl -s http://127.0.0.1:$http_port/v1/resolve/${url##*/}
  or over gRPC:
    $ocopctl resolve '$url'$shown_flags

  Thái Nguyên's public catalogue of OCOP products certified today (and as JSON):
    http://127.0.0.1:$http_port/catalogue/19
    curl -s 'http://127.0.0.1:$http_port/v1/catalogue/19?q=che&stars=4'

  Provincial reports (CSV), e.g. Thái Nguyên in March 2024 (240 products: 149, 89 and 2 by stars):
    $ocopctl report-certified --as_of=2024-03-31 --province_code=19 --group_by=stars$shown_flags
    $ocopctl plan-progress --plan=plans/thai-nguyen-2021-2025$shown_flags
    $ocopctl expiring-certificates --within_days=180$shown_flags
    $ocopctl report-product-ideas --province_code=19$shown_flags

  The lot's history, its tamper check and its EPCIS 2.0 export:
    $ocopctl trace --batch=$batch$shown_flags
    $ocopctl verify-chain --batch=$batch$shown_flags
    $ocopctl export-epcis --batch=$batch --out=lot.jsonld$shown_flags
  Every call but the public ones needs a sign-in (sessions in a 0600 file; passwords are in
  $data/secrets/, made for this demo; roles in docs/identity.md):
    $ocopctl login --username=admin --password_file=$data/secrets/admin-password$shown_flags
    $ocopctl login --username=htx-tancuong --password_file=$data/secrets/producer-password$shown_flags
    $ocopctl token      # a fresh access token, e.g. for grpcurl -H "authorization: Bearer ..."

  Scans of the tea's stamps per day (after you scanned one), signed in as its producer:
    $ocopctl scan-stats --producer=$tea_coop$shown_flags
TXT
}
