//! Link settings of the `berth` binary, on Linux with glibc:
//!
//! - Relative relocations are packed (`DT_RELR`, `-z pack-relative-relocs`): the loader then
//!   reads a few kilobytes instead of ~700 KiB of relocation records at every start. The linker
//!   packs them only when the glibc it links against supports them (2.36 and later), so the
//!   binary runs wherever it was built.
//! - The functions short commands run (`layout/startup.ld`, written by `scripts/layout`) are
//!   placed together at the start of the code. The kernel maps code in large blocks around
//!   each page a process touches, so a listing that runs 450 KiB of code spread over the 17 MiB
//!   of code in the binary kept 3.8 MiB of it resident; laid out together, 0.7 MiB.
//!   The script is for the GNU and LLVM linkers; a build that picks another linker with
//!   `-fuse-ld` (gold and mold do not take it), or sets `BERTH_STARTUP_LAYOUT=off`, links
//!   without it.

use std::path::Path;

const LAYOUT: &str = "layout/startup.ld";

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
        if layout_wanted() {
            let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
            let script = Path::new(&manifest).join(LAYOUT);
            println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={LAYOUT}");
    println!("cargo:rerun-if-env-changed=BERTH_STARTUP_LAYOUT");
}

/// Whether the linker takes the layout script: not when the build chose another linker.
fn layout_wanted() -> bool {
    let off = std::env::var("BERTH_STARTUP_LAYOUT").is_ok_and(|value| value == "off");
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    !off && !flags.contains("fuse-ld")
}
