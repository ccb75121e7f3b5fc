//! Code generation targets: an architecture and an object-format dialect.
//!
//! The dialects differ in what the assembler and the linker expect, not in
//! the code: ELF (Linux) takes `.type`/`.size` directives, `.L` local labels
//! and a `.note.GNU-stack` section; Mach-O (macOS) prefixes C symbols with
//! `_`, names local labels `L…`, has neither `.type` nor `.size`, and links
//! with `-dylib` (Apple's "Mach-O Programming Topics"; the ELF gABI).

use std::fmt;
use std::str::FromStr;

/// An instruction set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    /// x86-64, System V AMD64 ABI.
    X86_64,
    /// AArch64, AAPCS64 (on Apple targets x18 is reserved and never touched).
    Aarch64,
}

/// An operating system, which fixes the object format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Os {
    /// ELF shared objects.
    Linux,
    /// Mach-O dynamic libraries.
    MacOs,
}

/// A code generation target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub arch: Arch,
    pub os: Os,
}

/// Every target, in the order `--target` lists them.
pub const ALL: [Target; 4] = [
    Target {
        arch: Arch::X86_64,
        os: Os::Linux,
    },
    Target {
        arch: Arch::Aarch64,
        os: Os::Linux,
    },
    Target {
        arch: Arch::X86_64,
        os: Os::MacOs,
    },
    Target {
        arch: Arch::Aarch64,
        os: Os::MacOs,
    },
];

impl Target {
    /// The target this binary runs on, if the JIT can generate code for it
    /// (x86-64 or AArch64, Linux or macOS).
    pub fn host() -> Option<Target> {
        let arch = if cfg!(target_arch = "x86_64") {
            Arch::X86_64
        } else if cfg!(target_arch = "aarch64") {
            Arch::Aarch64
        } else {
            return None;
        };
        let os = if cfg!(target_os = "linux") {
            Os::Linux
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            return None;
        };
        Some(Target { arch, os })
    }

    /// The name `--target` takes: `x86_64-linux`, `aarch64-linux`,
    /// `x86_64-macos`, `aarch64-macos`.
    pub fn name(self) -> &'static str {
        match (self.arch, self.os) {
            (Arch::X86_64, Os::Linux) => "x86_64-linux",
            (Arch::Aarch64, Os::Linux) => "aarch64-linux",
            (Arch::X86_64, Os::MacOs) => "x86_64-macos",
            (Arch::Aarch64, Os::MacOs) => "aarch64-macos",
        }
    }

    /// The name with the object format, as it goes into cache keys
    /// (`x86_64-linux-elf`).
    pub fn cache_name(self) -> String {
        format!(
            "{}-{}",
            self.name(),
            if self.is_macho() { "macho" } else { "elf" }
        )
    }

    /// Whether the object format is Mach-O.
    pub fn is_macho(self) -> bool {
        self.os == Os::MacOs
    }

    /// The prefix of global C symbols (`_` on Mach-O).
    pub fn symbol_prefix(self) -> &'static str {
        if self.is_macho() {
            "_"
        } else {
            ""
        }
    }

    /// The prefix of assembler-local labels, which never reach the symbol
    /// table.
    pub fn local_prefix(self) -> &'static str {
        if self.is_macho() {
            "L"
        } else {
            ".L"
        }
    }

    /// The LLVM triple clang's `-target` takes for this target.
    pub fn llvm_triple(self) -> &'static str {
        match (self.arch, self.os) {
            (Arch::X86_64, Os::Linux) => "x86_64-linux-gnu",
            (Arch::Aarch64, Os::Linux) => "aarch64-linux-gnu",
            (Arch::X86_64, Os::MacOs) => "x86_64-apple-macos11",
            (Arch::Aarch64, Os::MacOs) => "arm64-apple-macos11",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--target` value that names no target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown target '{0}' (expected one of x86_64-linux, aarch64-linux, x86_64-macos, aarch64-macos)")]
pub struct UnknownTarget(pub String);

impl FromStr for Target {
    type Err = UnknownTarget;

    /// Parses a [`Target::name`]; `arm64` is accepted for `aarch64` and
    /// `darwin` for `macos`.
    fn from_str(s: &str) -> Result<Target, UnknownTarget> {
        let norm = s
            .trim()
            .to_ascii_lowercase()
            .replace("arm64", "aarch64")
            .replace("darwin", "macos");
        ALL.into_iter()
            .find(|t| t.name() == norm)
            .ok_or_else(|| UnknownTarget(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for t in ALL {
            assert_eq!(t.name().parse::<Target>(), Ok(t));
        }
        assert_eq!(
            "arm64-darwin".parse::<Target>().map(|t| t.name()),
            Ok("aarch64-macos")
        );
        assert!("riscv64-linux".parse::<Target>().is_err());
        let host = Target::host().expect("the test machines are x86-64 or aarch64");
        let format = if host.is_macho() { "macho" } else { "elf" };
        assert_eq!(host.cache_name(), format!("{}-{format}", host.name()));
    }
}
