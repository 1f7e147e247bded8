#!/usr/bin/env bash
# The Promote stage (docs/adr/0022): the digests the Build stage built, scanned and signed in the
# source environment's registry (dev) are copied, unchanged, into the target environment's
# registry (prod), signed in as the target's promotion identity (AzureCLI@2 with its build
# service connection: AcrPull on the source registry, AcrPush, image locking and the signing key
# in the target). Per image (ingest analysis processing web splunk-forwarder), digest from
# TF_VAR_<image>_image_digest (the Build stage's outputs):
#   1. notation verify in the source registry against the source environment's signing
#      certificate (the PEM the Build stage published): only a signed digest is copied
#   2. oras cp -r: the manifest, its layers and every referrer (the Notation signature, the
#      CycloneDX SBOM), tagged with the commit SHA so the target's retention of untagged
#      manifests cannot remove it (az acr import copies no referrers and needs the source's
#      export policy on, which a private registry has off)
#   3. the digest in the target must be the digest that was built (oras resolve), and every
#      referrer of the source must be there; then notation verify again, in the target
#   4. notation sign in the target with its own Key Vault certificate: the deploy stage's
#      `deploy-stacks.sh verify` trusts only its environment's certificate
#   5. the lock: the tag and every referrer write- and delete-disabled, as in Build
#
#   scripts/azure/promote-images.sh <source registry> <target registry> <commit sha> <key vault> <certificate> <source certificate PEM> <report dir>
# Exit 2 on bad usage or a missing digest, 1 when a copy differs from what was built.
set -euo pipefail
usage="usage: promote-images.sh <source registry> <target registry> <commit sha> <key vault> <certificate> <source certificate PEM> <report dir>"
[ $# -eq 7 ] || { echo "$usage" >&2; exit 2; }
source_registry="$1" target_registry="$2" sha="$3" vault="$4" cert="$5" source_cert="$6" reports="$7"
[[ "$sha" =~ ^[0-9a-f]{40}$ ]] || { echo "promote-images: commit sha must be 40 hex digits, got $sha" >&2; exit 2; }
[ -s "$source_cert" ] || { echo "promote-images: no source signing certificate at $source_cert" >&2; exit 2; }
# shellcheck source=pipeline-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/pipeline-env.sh"
lower_case_tf_vars
require_image_digests promote-images
mkdir -p "$reports"

# Entra token → registry token (data plane only: the identity needs no read on the registry
# resource; az falls back to <name>.azurecr.io), for oras and notation.
user=00000000-0000-0000-0000-000000000000
login() {
  local out server
  out="$(az acr login --name "$1" --expose-token --output json)"
  server="$(jq -r .loginServer <<<"$out")"
  jq -r .accessToken <<<"$out" | oras login "$server" --username "$user" --password-stdin >&2
  jq -r .accessToken <<<"$out" | notation login "$server" --username "$user" --password-stdin >&2
  echo "$server"
}
src="$(login "$source_registry")"
dst="$(login "$target_registry")"

# Trust the source environment's certificate for its signatures, in both registries' iot/ repos.
dir="$(mktemp -d)"
notation cert add --type ca --store promote-source "$source_cert"
subject="$(openssl x509 -in "$source_cert" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')"
scopes="$(printf '"%s",' "${images[@]/#/$src/iot/}" "${images[@]/#/$dst/iot/}" | sed 's/,$//')"
cat > "$dir/trustpolicy.json" <<JSON
{"version":"1.0","trustPolicies":[{"name":"promote-source","registryScopes":[$scopes],"signatureVerification":{"level":"strict"},"trustStores":["ca:promote-source"],"trustedIdentities":["x509.subject: $subject"]}]}
JSON
notation policy import --force "$dir/trustpolicy.json"
kid="$(az keyvault certificate show --vault-name "$vault" --name "$cert" --query kid -o tsv)"

referrers() {
  oras discover --format json "$1" | jq -r '[.referrers[]?.digest, .manifests[]?.digest] | map(select(. != null)) | sort | .[]'
}

for image in "${images[@]}"; do
  v="TF_VAR_${image//-/_}_image_digest"
  digest="${!v}"
  repo="iot/$image"
  echo "::: $src/$repo@$digest → $dst/$repo:$sha"
  notation verify "$src/$repo@$digest"
  # an assignment, not a process substitution, so a failing discover stops the script (set -e)
  want="$(referrers "$src/$repo@$digest")"
  [ -n "$want" ] || { echo "promote-images: $src/$repo@$digest has no referrers (no signature, no SBOM)" >&2; exit 1; }
  oras cp -r "$src/$repo@$digest" "$dst/$repo:$sha"
  copied="$(oras resolve "$dst/$repo:$sha")"
  if [ "$copied" != "$digest" ]; then
    echo "promote-images: $dst/$repo:$sha is $copied, the Build stage built $digest" >&2
    exit 1
  fi
  have="$(referrers "$dst/$repo@$digest")"
  missing="$(comm -23 <(echo "$want") <(echo "$have"))"
  if [ -n "$missing" ]; then
    echo "promote-images: referrers of $repo@$digest not copied: $missing" >&2
    exit 1
  fi
  notation verify "$dst/$repo@$digest"

  notation sign --signature-format cose --id "$kid" --plugin azure-kv \
    --plugin-config self_signed=true "$dst/$repo@$digest"

  az acr repository update --name "$target_registry" --image "$repo:$sha" \
    --write-enabled false --delete-enabled false --output none
  for referrer in $(referrers "$dst/$repo@$digest"); do
    az acr repository update --name "$target_registry" --image "$repo@$referrer" \
      --write-enabled false --delete-enabled false --output none
  done
  echo "$image $digest $dst/$repo:$sha" | tee -a "$reports/promoted.txt"
done
