#!/bin/sh
# One-shot (the compose file's service-keys job): signs in as the bootstrap admin and gives batch,
# stamp and lookup each a service user and an API key, written 0600 into the service-keys volume.
# Keys already there are kept, so running it again changes nothing.
set -eu
keys=/var/lib/ocop-trace/service-keys
ctl() { ocopctl --registry=registry:50051 "$@"; }
umask 077
ctl login --username=admin --password_file=/run/secrets/admin-password >/dev/null
for service in batch stamp lookup; do
  if [ ! -s "$keys/$service.key" ]; then
    user=$(ctl create-user --request_id="compose-svc-$service" --username="svc-$service" \
      --user_role=service --display_name="$service service")
    key=$(ctl create-api-key --user="$user" --display_name="$service (compose)")
    printf '%s\n' "${key#* }" > "$keys/$service.key.tmp"
    mv "$keys/$service.key.tmp" "$keys/$service.key"
  fi
done
echo "service keys ready"
