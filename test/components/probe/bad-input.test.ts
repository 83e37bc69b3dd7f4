/**
 * The bad-input probe over every component (see bad-input.ts): one change at a time from valid
 * args; every attempt ends in success or one clear validation error, an unknown key never passes.
 */
import { probeComponents } from "./probe-suite";
import { PROBE_TARGETS } from "./targets";

probeComponents(PROBE_TARGETS);
