#!/usr/bin/env bash
# Packs a root filesystem as a one-layer OCI image archive (an OCI image
# layout in a tar), which `ctr images import` and `podman load` read:
#   make-oci-archive.sh ROOTFS OUT.tar NAME[:TAG]
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 ROOTFS OUT.tar NAME[:TAG]" >&2; exit 2; }
rootfs=$1 out=$2 name=$3
case $name in *:*) ;; *) name=$name:latest ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
blobs=$work/blobs/sha256
mkdir -p "$blobs"

# Stores stdin as a blob; prints "DIGEST SIZE".
put_blob() {
	local tmp=$work/blob.tmp digest
	cat >"$tmp"
	digest=$(sha256sum "$tmp" | cut -d' ' -f1)
	mv "$tmp" "$blobs/$digest"
	echo "sha256:$digest $(stat -c %s "$blobs/$digest")"
}

tar --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
read -r layer_digest layer_size < <(gzip -n <"$work/layer.tar" | put_blob)
rm "$work/layer.tar"

read -r config_digest config_size < <(jq -cn --arg diff "$diff_id" '{
	architecture: "amd64", os: "linux",
	config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
		Cmd: ["sh"], WorkingDir: "/"},
	rootfs: {type: "layers", diff_ids: [$diff]}}' | tr -d '\n' | put_blob)

read -r manifest_digest manifest_size < <(jq -cn \
	--arg cd "$config_digest" --argjson cs "$config_size" \
	--arg ld "$layer_digest" --argjson ls "$layer_size" '{
	schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
	layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}]
	}' | tr -d '\n' | put_blob)

echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
jq -cn --arg md "$manifest_digest" --argjson ms "$manifest_size" --arg name "$name" '{
	schemaVersion: 2,
	manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
		platform: {architecture: "amd64", os: "linux"},
		annotations: {"io.containerd.image.name": $name,
			"org.opencontainers.image.ref.name": ($name | sub(".*:"; ""))}}]
	}' >"$work/index.json"
tar -C "$work" -cf "$out" oci-layout index.json blobs
