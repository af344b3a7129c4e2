import { describe, expect, it } from "vitest";
import { gapAt, outages, outageText } from "./backends";
import { date } from "./format";
import { ageText, freshness, systemName } from "./freshness";

describe("ageText", () => {
  it.each([
    [0, "just now"], [4.9, "just now"], [5, "5 seconds old"], [59, "59 seconds old"],
    [60, "1 minute old"], [180, "3 minutes old"], [3599, "59 minutes old"], [3600, "1 hour old"],
    [86399, "23 hours old"], [86400, "1 day old"], [-3, "just now"],
  ])("%s seconds reads %s", (seconds, text) => expect(ageText(seconds)).toBe(text));

  it("never reads younger for an older age", () => {
    const rank = (t: string) => ["just", "second", "minute", "hour", "day"]
      .findIndex((u) => t.includes(u));
    let previous = 0;
    for (let s = 0; s < 200_000; s += 7) {
      const r = rank(ageText(s));
      expect(r).toBeGreaterThanOrEqual(previous);
      previous = r;
    }
  });
});

describe("freshness", () => {
  it("names the system and the age", () => {
    expect(freshness({ provider: "nomis", ageSeconds: 185, stale: false, fromCache: true }))
      .toEqual({ text: "from NOMIS, 3 minutes old", stale: false });
  });
  it("marks a stale copy", () => {
    expect(freshness({ provider: "delius", ageSeconds: 0, stale: true, fromCache: true })?.stale)
      .toBe(true);
  });
  it("says nothing without a provider", () => {
    expect(freshness(null)).toBeNull();
    expect(freshness({ provider: null, ageSeconds: 1, stale: false, fromCache: false })).toBeNull();
  });
  it("keeps a provider's own name when it is not a known system", () => {
    expect(systemName("crc-c01-store")).toBe("crc-c01-store");
  });
});

describe("outages", () => {
  const error = (code: string, provider: string, path: (string | number)[]) =>
    ({ message: "x", path, extensions: { code, provider } });
  const errors = [
    error("BACKEND_UNAVAILABLE", "nomis", ["caseload", "edges", 0, "node", "offender", "custody"]),
    error("BACKEND_UNAVAILABLE", "nomis", ["caseload", "edges", 3, "node", "offender", "custody"]),
    error("BACKEND_TIMEOUT", "delius", ["offender"]),
    { message: "no", path: ["offender", "registrations"], extensions: { code: "FORBIDDEN" } },
  ];
  it("groups backend errors by provider and code, ignoring others", () => {
    expect(outages(errors)).toEqual([
      { provider: "nomis", code: "BACKEND_UNAVAILABLE", missing: 2 },
      { provider: "delius", code: "BACKEND_TIMEOUT", missing: 1 },
    ]);
    expect(outageText(outages(errors)[0])).toBe(
      "NOMIS is not answering: 2 values are missing below; the rest is shown.");
  });
  it("says why a value is missing: its backend failed, or it is not for this caller", () => {
    const custody = (i: number) => ["caseload", "edges", i, "node", "offender", "custody"];
    expect(gapAt(errors, custody(3))).toBe("unavailable");
    expect(gapAt(errors, custody(2))).toBeNull();
    expect(gapAt(errors, ["offender", "registrations"])).toBe("denied");
    expect(gapAt(errors, ["offender", "registrations", "typeCode"])).toBeNull();
  });
  it("reads @ in a denial's path as every item of the list", () => {
    const denied = [{ message: "no", path: ["caseload", "edges", "@", "node", "offender",
      "custody"], extensions: { code: "FORBIDDEN" } }];
    for (const i of [0, 7, 99]) {
      expect(gapAt(denied, ["caseload", "edges", i, "node", "offender", "custody"]))
        .toBe("denied");
    }
    expect(gapAt(denied, ["caseload", "edges", 0, "node", "offender"])).toBeNull();
  });
});

describe("date", () => {
  it.each([["2027-02-22", "22 Feb 2027"], [null, "–"], ["2027-13-01", "2027-13-01"]])(
    "%s reads %s", (iso, text) => expect(date(iso)).toBe(text));
});
