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
my @files = sort split /\n/, `find "$src" -name "*.rs"`;
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
printf "check-stages: %d error(s), %d warning(s)\n", $errors, $warnings;
exit($errors ? 1 : 0);
' "$src"
