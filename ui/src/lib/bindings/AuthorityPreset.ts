// Hand-written to the ts-rs shape; replaced by the file ts-rs generates from the Rust type.

export type AuthorityPreset = { id: string, label: string, url: string, };
