// Hand-written to the ts-rs shape; replaced by the file ts-rs generates from the Rust type.

import type { AuthorityPreset } from "./AuthorityPreset";
import type { Mode } from "./Mode";
import type { PracticeInfo } from "./PracticeInfo";

export type AppInfo = { version: string, log_dir: string, mode: Mode | null, practice: PracticeInfo | null, authorities: Array<AuthorityPreset>, };
