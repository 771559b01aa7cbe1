// base64 of bytes, both ways, in Node and in a page (btoa/atob, or the native Uint8Array.fromBase64).

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** base64 to bytes: the native Uint8Array.fromBase64 where there is one (Chromium ≥ 140), else atob. */
export function fromBase64(text: string): Uint8Array {
  // fromBase64 skips ASCII whitespace itself.
  const typed = Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array };
  if (typeof typed.fromBase64 === 'function') return typed.fromBase64(text);
  const binary = atob(text.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
