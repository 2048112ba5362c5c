// Hand-written to the ts-rs shape; replaced by the file ts-rs generates from the Rust type.

export type PracticeInfo = { authority: string, ca_file: string, tenant_domain: string, tenant_id: string, };
