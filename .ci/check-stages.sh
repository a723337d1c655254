#!/usr/bin/env bash
# Checks that modules of src/ import only earlier stages (or themselves),
# in the order the crate docs state. Prints one line per violation and
# exits 1 when there is any.
#
# A module is the first path segment under src/: src/<m>.rs and
# src/<m>/... are both <m>. References counted: `use crate::...` (also the
# `use crate::{a::X, b::Y}` form) and inline `crate::<m>::...` paths, outside
# comments. `crate::Name` (a re-export at the crate root) is mapped to its
# module through the `pub use <m>::{...}` lines of src/lib.rs; a root name
# not found there is a warning. References inside `#[cfg(test)]` code (from
# that line to the end of the file) are warnings, not errors: tests do not
# make the library's layers depend on each other.
#
# `impl` blocks are checked too (see the second part of the program): an
# impl naming a type or trait of a later stage is an error, and inherent
# impls of an earlier stage's type (extension methods) are listed.
# `.ci/check-stages-test.sh` is this script's self-test.
#
# Usage: .ci/check-stages.sh [SRC_DIR]   (default: src)

set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-src}"

# The stage order, earliest first, is read from the crate docs of
# src/lib.rs (the one copy): the lines between `<!-- stages -->` and
# `<!-- /stages -->`, names separated by commas. A module may import the
# modules before it; `*` marks a leaf that every module may import (its
# own imports are still checked against its place). Modules listed but not
# (yet) in src/ are fine; modules in src/ but not listed are errors.
ORDER=($(sed -n '/<!-- stages -->/,/<!-- \/stages -->/p' "$src/lib.rs" \
  | grep -v -- '<!--' | sed 's|^//!||' | tr ',' ' ' | sed 's/\*/:any/g'))
if [ "${#ORDER[@]}" -eq 0 ]; then
  echo "check-stages: no stage list between <!-- stages --> markers in $src/lib.rs"
  exit 1
fi

order="${ORDER[*]}" perl -e '
use strict; use warnings;
my $src = shift;
my (%rank, %any, $i);
for my $entry (split " ", $ENV{order}) {
    my ($m, $flag) = split /:/, $entry;
    $rank{$m} = $i++;
    $any{$m} = 1 if ($flag // "") eq "any";
}

sub code_of {               # file text without comments; returns lines
    my ($path) = @_;
    open my $fh, "<", $path or die "$path: $!";
    local $/; my $text = <$fh>;
    $text =~ s{/\*.*?\*/}{ my $c = $&; $c =~ tr/\n//cd; $c }gse;  # keep line numbers
    my @lines = split /\n/, $text, -1;
    s{^\s*//.*}{} for @lines;
    s{\s//[^"]*$}{} for @lines;                       # trailing comments
    return @lines;
}

# Root re-exports: pub use <module>::{A, B} / pub use <module>::A;
my %root;
my @lib = code_of("$src/lib.rs");
my $lib = join "\n", @lib;
while ($lib =~ /pub\s+use\s+(?:crate::)?([a-z_][a-z0-9_]*)::(\{[^}]*\}|[^;{]+);/g) {
    my ($m, $names) = ($1, $2);
    $names =~ s/[{}]//g;
    for my $n (split /,/, $names) {
        $n =~ s/^\s+|\s+$//g;
        $n =~ s/.*\sas\s+//;          # `Name as Alias`: the alias is visible
        $root{$n} = $m if length $n;
    }
}

my ($errors, $warnings) = (0, 0);
my @files = sort split /\n/, `find "$src" -name "*.rs" -not -path "$src/bin/*"`;
for my $path (@files) {
    (my $rel = $path) =~ s{^\Q$src\E/}{};
    next if $rel eq "lib.rs";
    my ($module) = $rel =~ m{^([a-z_][a-z0-9_]*)(?:\.rs|/)} or next;
    my $known = exists $rank{$module};
    unless ($known) {
        print "ERROR $path: module `$module` is not in the stage list of .ci/check-stages.sh\n";
        $errors++;
    }
    my @lines = code_of($path);
    my $in_test = 0;
    # Join `use crate::{ ... };` blocks spanning lines onto their first line.
    for (my $n = 0; $n < @lines; $n++) {
        $in_test = 1 if $lines[$n] =~ /#\[cfg\(test\)\]/;
        my $line = $lines[$n];
        if ($line =~ /\buse\s+crate::\{/ && $line !~ /;/) {
            my $k = $n;
            $line .= " " . $lines[++$k] while $k + 1 < @lines && $line !~ /;/;
        }
        my @targets;
        if ($line =~ /\buse\s+crate::\{(.*?)\}\s*;/) {        # use crate::{a::X, b::{Y, Z}, C}
            my $inner = $1;
            1 while $inner =~ s/\{[^{}]*\}//g;                 # drop nested groups
            for my $part (split /,/, $inner) {
                $part =~ s/^\s+|\s+$//g;
                push @targets, $part =~ /^([A-Za-z_][A-Za-z0-9_]*)/ ? $1 : ();
            }
        }
        while ($line =~ /(?<![A-Za-z0-9_:])crate::([A-Za-z_][A-Za-z0-9_]*)/g) {
            push @targets, $1;
        }
        for my $t (@targets) {
            my $target = $t;
            if ($t =~ /^[A-Z]/ || (!exists $rank{$t} && exists $root{$t})) {
                $target = $root{$t};
                unless (defined $target) {
                    printf "WARNING %s:%d: crate::%s is not a `pub use` of src/lib.rs; not checked\n", $path, $n + 1, $t;
                    $warnings++;
                    next;
                }
            }
            next if $target eq $module || $target eq "self" || $target eq "super";
            my $via = $target eq $t ? "" : " (crate::$t)";
            if (!exists $rank{$target}) {
                printf "ERROR %s:%d: `%s` imports `%s`%s, which is not in the stage list\n", $path, $n + 1, $module, $target, $via;
                $errors++;
                next;
            }
            next if $any{$target};
            next unless $known;
            next if $rank{$target} < $rank{$module};
            my $kind = $in_test ? "WARNING" : "ERROR";
            printf "%s %s:%d: `%s` (stage %d) imports later stage `%s` (stage %d)%s%s\n",
                $kind, $path, $n + 1, $module, $rank{$module} + 1, $target, $rank{$target} + 1, $via,
                $in_test ? " in #[cfg(test)] code" : "";
            $in_test ? $warnings++ : $errors++;
        }
    }
}
# impl blocks. A name -> defining module map from the `struct`, `enum`,
# `trait` and `type` definitions under src/ (`pub` or `pub(...)`), and the
# names each module defines at any visibility. In an `impl` header of module
# M (`impl Trait for Type`, `impl Type`, generics included), a name defined
# in a later stage than M is an error (a leaf `*` never is). A name is taken
# as belonging to M when M defines it, as external when the file imports it from
# outside the crate (`use serde_json::Value`) or writes it with a path that
# is not the crate (`fmt::Display`), and as unchecked (a warning) when two
# modules define it. An inherent `impl Type` of a type defined in an earlier
# module is an extension method: allowed, and listed for reviewers.
my (%defined_in, %own);
for my $path (@files) {
    (my $rel = $path) =~ s{^\Q$src\E/}{};
    my ($module) = $rel =~ m{^([a-z_][a-z0-9_]*)(?:\.rs|/)} or next;
    for my $line (code_of($path)) {
        while ($line =~ /\b(pub(?:\([^)]*\))?\s+)?(?:struct|enum|trait|type)\s+([A-Z][A-Za-z0-9_]*)/g) {
            $own{$module}{$2} = 1;
            $defined_in{$2}{$module} = 1 if defined $1;
        }
    }
}
my @extensions;
for my $path (@files) {
    (my $rel = $path) =~ s{^\Q$src\E/}{};
    next if $rel eq "lib.rs";
    my ($module) = $rel =~ m{^([a-z_][a-z0-9_]*)(?:\.rs|/)} or next;
    next unless exists $rank{$module};
    my @lines = code_of($path);
    my %external;                                    # names used from other crates
    my $text = join "\n", @lines;
    while ($text =~ /\buse\s+(?!crate\b|self\b|super\b)([A-Za-z_][A-Za-z0-9_]*)::([^;]*);/gs) {
        next if exists $rank{$1};
        my $rest = $2;
        $external{$1} = 1 while $rest =~ /\b([A-Z][A-Za-z0-9_]*)\b/g;
    }
    my $in_test = 0;
    for (my $n = 0; $n < @lines; $n++) {
        $in_test = 1 if $lines[$n] =~ /#\[cfg\(test\)\]/;
        next unless $lines[$n] =~ /^\s*(?:unsafe\s+)?impl\b/;
        my $header = $lines[$n];
        my $k = $n;
        $header .= " " . $lines[++$k] while $header !~ /[{;]/ && $k + 1 < @lines;
        $header =~ s/\{.*//s;
        $header =~ s/^\s*(?:unsafe\s+)?impl\s*//;
        $header =~ s/^<(?:[^<>]|<(?:[^<>]|<[^<>]*>)*>)*>\s*//;   # impl<...> parameters
        $header =~ s/\bwhere\b.*//s;
        my ($trait, $type) = $header =~ /^(.*?)\s+for\s+(.*)$/s ? ($1, $2) : (undef, $header);
        my $self_name = $type =~ /^\s*&?\s*(?:\x27\w+\s+)?(?:mut\s+)?((?:[a-z_][a-z0-9_]*::)*)([A-Z][A-Za-z0-9_]*)/ ? [$1, $2] : undef;
        my $where = sub { sprintf "%s:%d", $path, $n + 1 };
        # The defining module of a name written with `$prefix` (`crate::m::`,
        # `m::`, `fmt::`, or none); undef when external or not ours.
        my $home = sub {
            my ($prefix, $name) = @_;
            if ($prefix =~ /^crate::([a-z_][a-z0-9_]*)::/) { return $1 }
            if ($prefix =~ /^(?:self|super)::/) { return $module }
            if ($prefix =~ /^([a-z_][a-z0-9_]*)::/) { return exists $rank{$1} ? $1 : undef }
            return $module if $own{$module}{$name};
            return undef if $external{$name};
            my @homes = sort keys %{ $defined_in{$name} // {} };
            return undef unless @homes;
            if (@homes > 1) {
                printf "WARNING %s: `%s` is defined in %s; not checked\n", $where->(), $name, join(", ", @homes);
                $warnings++;
                return undef;
            }
            return $homes[0];
        };
        my $all = ($trait // "") . " " . $type;
        while ($all =~ /((?:[A-Za-z_][A-Za-z0-9_]*::)*)([A-Z][A-Za-z0-9_]*)/g) {
            my ($prefix, $name) = ($1, $2);
            my $target = $home->($prefix, $name) // next;
            next if $target eq $module || $any{$target} || !exists $rank{$target};
            next if $rank{$target} < $rank{$module};
            my $kind = $in_test ? "WARNING" : "ERROR";
            printf "%s %s: `%s` (stage %d) has an impl naming `%s` of later stage `%s` (stage %d)%s\n",
                $kind, $where->(), $module, $rank{$module} + 1, $name, $target, $rank{$target} + 1,
                $in_test ? " in #[cfg(test)] code" : "";
            $in_test ? $warnings++ : $errors++;
        }
        if (!defined $trait && $self_name) {
            my $target = $home->(@$self_name);
            if (defined $target && $target ne $module && exists $rank{$target}
                && $rank{$target} < $rank{$module} && !$in_test) {
                push @extensions, sprintf "  %s: impl %s (of `%s`) in `%s`", $where->(), $self_name->[1], $target, $module;
            }
        }
    }
}
if (@extensions) {
    print "extension methods (inherent impls of a type of an earlier stage):\n";
    print "$_\n" for @extensions;
}
printf "check-stages: %d error(s), %d warning(s)\n", $errors, $warnings;
exit($errors ? 1 : 0);
' "$src"
