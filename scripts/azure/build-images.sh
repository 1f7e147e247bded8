#!/usr/bin/env bash
# The Build stage, per image (ingest analysis processing web splunk-forwarder), signed in as the build identity
# (AzureCLI@2 with the build service connection; no Docker engine on the agent):
#   1. az acr build: ACR Tasks builds workloads/<image>/Dockerfile, tagged with the commit SHA
#   2. the digest: az acr repository show --image iot/<image>:<sha> --query digest, exported as
#      the output variable <image>_image_digest (##vso[task.setvariable …;isOutput=true])
#   3. an SBOM: npm sbom --sbom-format cyclonedx of the workload's production dependencies,
#      attached to the digest as an OCI referrer (oras attach)
#   4. a scan: trivy against the registry (Entra token), failing on CRITICAL, SARIF kept
#   5. a signature: notation sign with the Azure Key Vault plugin and the platform's signing
#      certificate, attached as a referrer
#   6. the lock: az acr repository update --write-enabled false --delete-enabled false on the
#      tag and on every referrer, so neither the retention policy nor a push can change them
# The signing certificate's PEM goes to the report dir (the supply-chain artifact): the Promote
# stage verifies the signatures against it before copying to prod (docs/adr/0022).
#
#   scripts/azure/build-images.sh <registry name> <commit sha> <key vault name> <certificate name> <report dir>
set -euo pipefail
if [ $# -ne 5 ]; then
  echo "usage: build-images.sh <registry name> <commit sha> <key vault name> <certificate name> <report dir>" >&2
  exit 2
fi
registry="$1" sha="$2" vault="$3" cert="$4" reports="$5"
[[ "$sha" =~ ^[0-9a-f]{40}$ ]] || { echo "build-images: commit sha must be 40 hex digits, got $sha" >&2; exit 2; }
mkdir -p "$reports"
login="$(az acr show --name "$registry" --query loginServer -o tsv)"
# One Entra token for oras, trivy and notation: the registry has no admin user.
token="$(az acr login --name "$registry" --expose-token --query accessToken -o tsv)"
user=00000000-0000-0000-0000-000000000000
echo "$token" | oras login "$login" --username "$user" --password-stdin
echo "$token" | notation login "$login" --username "$user" --password-stdin
kid="$(az keyvault certificate show --vault-name "$vault" --name "$cert" --query kid -o tsv)"
# The certificate (public part) the Promote stage verifies these signatures against before it
# copies a digest into another environment's registry (scripts/azure/promote-images.sh).
az keyvault certificate download --vault-name "$vault" --name "$cert" --encoding PEM \
  --file "$reports/signing-certificate.pem"

for image in ingest analysis processing web splunk-forwarder; do
  repo="iot/$image"
  echo "::: $repo:$sha"
  az acr build --registry "$registry" --image "$repo:$sha" --file "workloads/$image/Dockerfile" \
    --platform linux/amd64 .
  digest="$(az acr repository show --name "$registry" --image "$repo:$sha" --query digest -o tsv)"
  [[ "$digest" =~ ^sha256:[a-f0-9]{64}$ ]] || { echo "build-images: $repo:$sha has no sha256 digest ($digest)" >&2; exit 1; }
  ref="$login/$repo@$digest"

  # The image runs the workloads' production dependencies: the SBOM lists exactly those.
  npm sbom --sbom-format cyclonedx --omit dev --package-lock-only > "$reports/sbom-$image.cdx.json"
  oras attach --artifact-type application/vnd.cyclonedx+json "$ref" \
    "$reports/sbom-$image.cdx.json:application/vnd.cyclonedx+json"

  TRIVY_USERNAME="$user" TRIVY_PASSWORD="$token" trivy image --no-progress --severity CRITICAL \
    --exit-code 1 --format sarif --output "$reports/trivy-$image.sarif" "$ref"

  notation sign --signature-format cose --id "$kid" --plugin azure-kv \
    --plugin-config self_signed=true "$ref"

  az acr repository update --name "$registry" --image "$repo:$sha" \
    --write-enabled false --delete-enabled false --output none
  for referrer in $(oras discover --format json "$ref" | jq -r '.referrers[]?.digest // empty, .manifests[]?.digest // empty'); do
    az acr repository update --name "$registry" --image "$repo@$referrer" \
      --write-enabled false --delete-enabled false --output none
  done

  echo "$image: $ref"
  # splunk-forwarder → splunk_forwarder_image_digest (stacks/image-digests.ts)
  echo "##vso[task.setvariable variable=${image//-/_}_image_digest;isOutput=true]$digest"
done
