const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
  "Dec"];

/** "2027-02-22" -> "22 Feb 2027", the way prison and probation letters write dates. */
export function date(iso: string | null | undefined): string {
  if (!iso) return "–";
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  if (!y || !m || !d || m > 12) return iso;
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

export function fullName(name: { forename: string | null; surname: string | null } | null
): string {
  return [name?.forename, name?.surname].filter(Boolean).join(" ") || "Name withheld";
}
