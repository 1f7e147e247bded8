#!/usr/bin/env bash
# Installs the supply-chain and deploy tools a pipeline stage needs on a Linux x64 agent, at
# pinned versions, each archive checked against the checksum file its release publishes:
#   scripts/azure/install-pipeline-tools.sh oras notation trivy      # Build stage
#   scripts/azure/install-pipeline-tools.sh terraform kubelogin notation   # deploy stages
# Binaries go to $TOOLS_DIR (default $HOME/.local/bin), which is put on the job's PATH with
# ##vso[task.prependpath]. Exit 2 on an unknown tool name.
set -euo pipefail

ORAS_VERSION=1.2.3
NOTATION_VERSION=1.3.2
NOTATION_AKV_VERSION=1.2.1
TRIVY_VERSION=0.67.2
TERRAFORM_VERSION=1.11.4
KUBELOGIN_VERSION=0.2.10

dir="${TOOLS_DIR:-$HOME/.local/bin}"
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# fetch <url> <checksums url> <file name in the checksums file>
fetch() {
  curl -fsSL --retry 3 -o "$tmp/$3" "$1"
  curl -fsSL --retry 3 -o "$tmp/$3.sums" "$2"
  (cd "$tmp" && grep -E "[[:space:]]\*?$3\$" "$3.sums" | sha256sum -c -)
}

for tool in "$@"; do
  case "$tool" in
    oras)
      f="oras_${ORAS_VERSION}_linux_amd64.tar.gz"
      fetch "https://github.com/oras-project/oras/releases/download/v${ORAS_VERSION}/$f" \
        "https://github.com/oras-project/oras/releases/download/v${ORAS_VERSION}/oras_${ORAS_VERSION}_checksums.txt" "$f"
      tar -xzf "$tmp/$f" -C "$dir" oras ;;
    notation)
      f="notation_${NOTATION_VERSION}_linux_amd64.tar.gz"
      fetch "https://github.com/notaryproject/notation/releases/download/v${NOTATION_VERSION}/$f" \
        "https://github.com/notaryproject/notation/releases/download/v${NOTATION_VERSION}/notation_${NOTATION_VERSION}_checksums.txt" "$f"
      tar -xzf "$tmp/$f" -C "$dir" notation
      p="notation-azure-kv_${NOTATION_AKV_VERSION}_linux_amd64.tar.gz"
      fetch "https://github.com/Azure/notation-azure-kv/releases/download/v${NOTATION_AKV_VERSION}/$p" \
        "https://github.com/Azure/notation-azure-kv/releases/download/v${NOTATION_AKV_VERSION}/checksums.txt" "$p"
      sum="$(sha256sum "$tmp/$p" | cut -d' ' -f1)"
      "$dir/notation" plugin install --file "$tmp/$p" --sha256sum "$sum" --force ;;
    trivy)
      f="trivy_${TRIVY_VERSION}_Linux-64bit.tar.gz"
      fetch "https://github.com/aquasecurity/trivy/releases/download/v${TRIVY_VERSION}/$f" \
        "https://github.com/aquasecurity/trivy/releases/download/v${TRIVY_VERSION}/trivy_${TRIVY_VERSION}_checksums.txt" "$f"
      tar -xzf "$tmp/$f" -C "$dir" trivy ;;
    terraform)
      f="terraform_${TERRAFORM_VERSION}_linux_amd64.zip"
      fetch "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/$f" \
        "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_SHA256SUMS" "$f"
      unzip -o -q "$tmp/$f" terraform -d "$dir" ;;
    kubelogin)
      f="kubelogin-linux-amd64.zip"
      fetch "https://github.com/Azure/kubelogin/releases/download/v${KUBELOGIN_VERSION}/$f" \
        "https://github.com/Azure/kubelogin/releases/download/v${KUBELOGIN_VERSION}/$f.sha256" "$f"
      unzip -o -q -j "$tmp/$f" bin/linux_amd64/kubelogin -d "$dir" ;;
    *)
      echo "install-pipeline-tools: unknown tool $tool (oras, notation, trivy, terraform, kubelogin)" >&2
      exit 2 ;;
  esac
  echo "installed $tool"
done
echo "##vso[task.prependpath]$dir"
