// The library's one entry point: re-exports only. Import a single construct by its folder
// (`constructs/key-vault`) to keep compile times low, or everything from here.
export * from './core';
export * from './key-vault';
