/**
 * The names an uploaded file goes by: the client's own base name (shown in the
 * job, and what the readers tell CSV from XLSX by) and a safe form of it for the
 * object key, which must not carry path separators or odd characters into S3.
 */

const SAFE_NAME_MAX = 100;
const DISPLAY_NAME_MAX = 255;

/** The last path segment of a client-supplied name (browsers on Windows may send `C:\dir\x.csv`). */
export function baseName(fileName: string): string {
  const segments = fileName.split(/[\\/]/);
  // Control characters have no business in a name that ends up in logs and reports.
  const name = (segments[segments.length - 1] ?? "").replace(/[\p{Cc}]/gu, "").trim();
  return name.slice(0, DISPLAY_NAME_MAX) || "upload";
}

/**
 * The base name with anything but `[A-Za-z0-9._-]` replaced by `_`, at most 100
 * characters; long names keep their extension. Never empty, `.` or `..`.
 */
export function safeFileName(fileName: string): string {
  let name = baseName(fileName).replace(/[^A-Za-z0-9._-]/g, "_");
  if (name.length > SAFE_NAME_MAX) {
    const dot = name.lastIndexOf(".");
    const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : "";
    name = name.slice(0, SAFE_NAME_MAX - extension.length) + extension;
  }
  return /^\.*$/.test(name) ? "upload" : name;
}
