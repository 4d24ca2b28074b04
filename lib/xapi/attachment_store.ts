/** Statement attachments' content in Deno KV, by SHA-2, in chunks under the 64 KiB value limit. */
import {
  xapiAttachmentChunkKey,
  xapiAttachmentChunksPrefix,
  xapiAttachmentKey,
} from "../kv_keys.ts";

/** Bytes per stored chunk. */
const CHUNK_BYTES = 60_000;

/** An attachment's content as sent. */
export interface AttachmentContent {
  sha2: string;
  contentType: string;
  body: Uint8Array;
}

interface AttachmentMeta {
  contentType: string;
  chunks: number;
}

/** Stores attachments not stored yet (content is addressed by hash, so a copy is never needed). */
export async function storeAttachments(
  kv: Deno.Kv,
  attachments: readonly AttachmentContent[],
): Promise<void> {
  for (const attachment of attachments) {
    const sha2 = attachment.sha2.toLowerCase();
    const chunks = Math.max(1, Math.ceil(attachment.body.length / CHUNK_BYTES));
    const op = kv.atomic().check({ key: xapiAttachmentKey(sha2), versionstamp: null })
      .set(xapiAttachmentKey(sha2), { contentType: attachment.contentType, chunks });
    for (let i = 0; i < chunks; i++) {
      op.set(
        xapiAttachmentChunkKey(sha2, i),
        attachment.body.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES),
      );
    }
    await op.commit();
  }
}

/** The stored attachments among `sha2s` (unknown ones are absent). */
export async function getAttachments(
  kv: Deno.Kv,
  sha2s: readonly string[],
): Promise<AttachmentContent[]> {
  const out: AttachmentContent[] = [];
  for (const sha2 of new Set(sha2s.map((s) => s.toLowerCase()))) {
    const meta = (await kv.get<AttachmentMeta>(xapiAttachmentKey(sha2))).value;
    if (!meta) continue;
    const parts: Uint8Array[] = [];
    for await (const entry of kv.list<Uint8Array>({ prefix: xapiAttachmentChunksPrefix(sha2) })) {
      parts.push(entry.value);
    }
    const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      body.set(part, offset);
      offset += part.length;
    }
    out.push({ sha2, contentType: meta.contentType, body });
  }
  return out;
}
