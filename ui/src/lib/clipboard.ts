/**
 * Copies text to the clipboard. Returns false when no way of copying worked;
 * rejects only when `text` itself rejects.
 *
 * Pass a promise when the text is still being fetched (e.g. from Rust): a
 * ClipboardItem holding a promise keeps the click's user activation across the
 * wait, which WebKit (the Linux and macOS webview) requires. Otherwise the
 * async Clipboard API is used, then a hidden textarea + execCommand("copy").
 */
export async function copyText(text: string | Promise<string>): Promise<boolean> {
  if (typeof text !== "string" && typeof ClipboardItem !== "undefined" && navigator.clipboard?.write) {
    try {
      const blob = text.then((t) => new Blob([t], { type: "text/plain" }));
      blob.catch(() => undefined); // the rejection is reported by `await text` below
      await navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })]);
      return true;
    } catch {
      // fall back below
    }
  }
  const value = await text;
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(value);
      return true;
    }
  } catch {
    // fall back below
  }
  return copyWithTextarea(value);
}

function copyWithTextarea(text: string): boolean {
  const active = document.activeElement as HTMLElement | null;
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.setAttribute("aria-hidden", "true");
  area.style.position = "fixed";
  area.style.top = "-1000px";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.focus();
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  active?.focus();
  return ok;
}
