import { DEFAULT_RETRY_POLICY, retryDelayMs, retryWindowMs } from "@catalog/jobs";

describe("the retry policy", () => {
  it("doubles from the base delay up to the cap, with ±20% jitter", () => {
    const mid = (made: number) => retryDelayMs(DEFAULT_RETRY_POLICY, made, () => 0.5);
    expect([1, 2, 3, 4, 5, 6, 7, 9].map(mid)).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0)).toBe(6_400);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 1)).toBe(9_600);
  });

  it("waits out an outage of minutes by default, not seconds", () => {
    // 2+4+8+16+32+60+60+60+60 s between the 10 attempts.
    expect(retryWindowMs(DEFAULT_RETRY_POLICY)).toBe(302_000);
  });
});
