//! Link settings of the `berth` binary. On Linux with glibc, relative relocations are packed
//! (`DT_RELR`, `-z pack-relative-relocs`): the loader then reads a few kilobytes instead of
//! ~700 KiB of relocation records at every start, which is most of a short command's
//! resident memory beyond the code it runs. The linker packs them only when the glibc it links
//! against supports them (2.36 and later), so the binary runs wherever it was built.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
