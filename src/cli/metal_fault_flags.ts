/**
 * The Metal API fault flags, declared once for the commands that run the Metal simulator (`playground`/`demo` and
 * `metal-simulator`), and their mapping onto the simulator's fault profile.
 */
import { value } from "../runtime/flags.ts";

/** A number within [min, max] (decimals allowed). */
export function decimal(min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) throw new Error(`not a number: ${JSON.stringify(v)}`);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

/** `<every seconds>:<size>`, e.g. `20:5`. */
function burst(v: string): { everyMs: number; size: number } {
  const m = /^(\d+(?:\.\d+)?):(\d+)$/.exec(v.trim());
  if (!m || Number(m[1]) <= 0 || Number(m[2]) < 1) {
    throw new Error(`expected <every seconds>:<size>, e.g. 20:5, got ${JSON.stringify(v)}`);
  }
  return { everyMs: Math.round(Number(m[1]) * 1000), size: Number(m[2]) };
}

/** A share in percent. */
export const percent = decimal(0, 100);

/** The Metal API fault flags. */
export const METAL_FAULT_FLAGS = {
  metalLostResponses: value("<percent>", "Metal API: responses lost after the effect", { parse: percent }),
  metalServerErrors: value("<percent>", "Metal API: 500/503 answers", { parse: percent }),
  metalLateCommits: value(
    "<percent>",
    "Metal API: device creates whose response is lost and whose device appears only 15 s later",
    { parse: percent },
  ),
  metal429Bursts: value("<every:size>", "Metal API: every N s, 429 for the next M requests", {
    parse: burst,
    // The spelling the README has always shown; the key's own kebab-case form keeps "429" to "metal".
    aliases: ["metal-429-bursts"],
  }),
};

/** The values of the Metal API fault flags. */
export interface MetalFaultFlags {
  metalLostResponses?: number;
  metalServerErrors?: number;
  metalLateCommits?: number;
  metal429Bursts?: { everyMs: number; size: number };
}

/** The Metal fault options of the flags, or undefined when none is set. */
export function metalFaultsFromFlags(f: MetalFaultFlags): {
  lostResponsePercent?: number;
  serverErrorPercent?: number;
  lateCommitPercent?: number;
  rateLimitBursts?: { everyMs: number; size: number };
} | undefined {
  if (!f.metalLostResponses && !f.metalServerErrors && !f.metalLateCommits && !f.metal429Bursts) return undefined;
  return {
    lostResponsePercent: f.metalLostResponses,
    serverErrorPercent: f.metalServerErrors,
    ...(f.metalLateCommits ? { lateCommitPercent: f.metalLateCommits } : {}),
    rateLimitBursts: f.metal429Bursts,
  };
}
