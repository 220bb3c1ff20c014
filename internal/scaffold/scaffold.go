// Package scaffold is the engine that turns a list of files (a template, its
// data and what to do if the file exists) into a plan of file changes, and
// applies the plan atomically or prints it (--dry-run).
//
// The rules that keep a user's tree safe live here, once:
//   - everything is rendered and checked before anything is written;
//   - a file the user owns (IfExists Skip) is never touched again;
//   - a file regenerated from PROJECT (IfExists Overwrite) is only replaced if
//     it is still exactly what apiserver-boot wrote last time, so an edit by the
//     user is never lost without --force;
//   - insertions at markers never duplicate a fragment;
//   - writes go to temporary files that are renamed into place at the end.
package scaffold

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// IfExists says what to do when a file to write already exists.
type IfExists int

const (
	// Error refuses to overwrite a different existing file unless forced.
	// Used for files that belong to one new kind: they must not exist yet.
	Error IfExists = iota
	// Skip leaves an existing file alone. Used for files the user owns once
	// they are created (doc.go of a group, defaults.go of a version).
	Skip
	// Overwrite regenerates the file from PROJECT, unless the user edited it.
	Overwrite
)

func (a IfExists) String() string {
	switch a {
	case Skip:
		return "skip"
	case Overwrite:
		return "overwrite"
	default:
		return "error"
	}
}

// File is one file to produce: which template body, with which data, where.
type File struct {
	// Path is the slash-separated path relative to the project root.
	Path string
	// Template names the body in the template file system, e.g. "kind/strategy.go.tmpl".
	Template string
	// Data is the template's input, a small typed struct.
	Data any
	// Content, if set, is written as it is instead of rendering Template
	// (used for PROJECT, which is serialized, not templated).
	Content []byte
	// IfExists says what to do if Path exists.
	IfExists IfExists
}

// Insertion adds code fragments just above a marker line in an existing file
// (or one created by the same plan). A fragment already present is skipped,
// so inserting twice changes nothing.
type Insertion struct {
	Path      string
	Marker    string
	Fragments []string
}

// Action is what a Change does to a file.
type Action string

const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	Kept      Action = "keep" // exists and belongs to the user (IfExists Skip)
	Delete    Action = "delete"
)

// Change is one entry of a plan.
type Change struct {
	Path    string
	Action  Action
	Content []byte
	Mode    fs.FileMode
	// Hidden changes are applied but not listed by Print: apiserver-boot's
	// own records, which the user does not edit.
	Hidden bool
}

// ConflictError lists files that would be overwritten although the user changed them.
type ConflictError struct{ Paths []string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("refusing to overwrite %s: the file exists and differs from what apiserver-boot would write (it was edited or not made by apiserver-boot); use --force to overwrite",
		strings.Join(e.Paths, ", "))
}

// Plan renders files and insertions against the tree at root and returns the
// changes, sorted by path. previous holds, for files regenerated from PROJECT,
// what the previous PROJECT renders to: an existing file equal to that (or to
// the new content) is apiserver-boot's to replace; anything else is a user
// edit and a conflict unless force is set. Plan writes nothing.
func Plan(root string, r *Renderer, files []File, inserts []Insertion, previous map[string][]byte, force bool) ([]Change, error) {
	byPath := map[string]*Change{}
	var conflicts []string
	for _, f := range files {
		if _, dup := byPath[f.Path]; dup {
			return nil, fmt.Errorf("internal error: %s is planned twice", f.Path)
		}
		content, err := r.Render(f)
		if err != nil {
			return nil, err
		}
		existing, err := readIfExists(root, f.Path)
		if err != nil {
			return nil, err
		}
		c := &Change{Path: f.Path, Content: content, Mode: 0o644}
		switch {
		case existing == nil:
			c.Action = Create
		case bytes.Equal(existing, content):
			c.Action = Unchanged
		case f.IfExists == Skip:
			c.Action, c.Content = Kept, existing
		case f.IfExists == Overwrite && (previous[f.Path] != nil && bytes.Equal(existing, previous[f.Path])):
			c.Action = Update
		case force:
			c.Action = Update
		default:
			conflicts = append(conflicts, f.Path)
			continue
		}
		byPath[f.Path] = c
	}
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return nil, &ConflictError{Paths: conflicts}
	}
	for _, ins := range inserts {
		c := byPath[ins.Path]
		if c == nil {
			existing, err := readIfExists(root, ins.Path)
			if err != nil {
				return nil, err
			}
			if existing == nil {
				return nil, fmt.Errorf("%s does not exist, cannot insert at %q", ins.Path, ins.Marker)
			}
			c = &Change{Path: ins.Path, Action: Unchanged, Content: existing, Mode: 0o644}
			byPath[ins.Path] = c
		}
		out, err := Insert(ins.Path, c.Content, ins.Marker, ins.Fragments, r.Module)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(out, c.Content) {
			c.Content = out
			if c.Action != Create {
				c.Action = Update
			}
		}
	}
	changes := make([]Change, 0, len(byPath))
	for _, c := range byPath {
		changes = append(changes, *c)
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

func readIfExists(root, p string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, syscall.ENOTDIR):
		return nil, fmt.Errorf("cannot write %s: a parent of it is a file", p)
	case errors.Is(err, syscall.EISDIR):
		return nil, fmt.Errorf("cannot write %s: it is a directory", p)
	}
	return nil, err
}

// Compare plans writing files (relative path → content, always overwritten:
// they belong to apiserver-boot) under root: files whose content is already
// on disk are Unchanged, so applying the plan does not touch them.
func Compare(root string, files map[string][]byte) ([]Change, error) {
	var changes []Change
	for rel, content := range files {
		existing, err := readIfExists(root, rel)
		if err != nil {
			return nil, err
		}
		c := Change{Path: rel, Action: Update, Content: content, Mode: 0o644}
		switch {
		case existing == nil:
			c.Action = Create
		case bytes.Equal(existing, content):
			c.Action = Unchanged
		}
		changes = append(changes, c)
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

// Pending reports whether a plan changes anything on disk.
func Pending(changes []Change) bool {
	for _, c := range changes {
		if c.Action == Create || c.Action == Update || c.Action == Delete {
			return true
		}
	}
	return false
}

// Print writes a human-readable plan: one line per file created or updated,
// then a summary. Used for --dry-run and to report what a command did.
func Print(w interface{ Write([]byte) (int, error) }, changes []Change, dryRun bool) {
	verb := map[Action]string{Create: "create", Update: "update", Delete: "delete"}
	if dryRun {
		verb = map[Action]string{Create: "would create", Update: "would update", Delete: "would delete"}
	}
	n := 0
	for _, c := range changes {
		if v, ok := verb[c.Action]; ok && !c.Hidden {
			fmt.Fprintf(w, "%-12s %s\n", v, c.Path)
			n++
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "nothing to change")
	}
}

// FileChange is a listed Change as -o json prints it.
type FileChange struct {
	Path string `json:"path"`
	// Action is create, update or delete: planned with --dry-run, done without.
	Action Action `json:"action"`
}

// Listed are the changes Print lists (created, updated and deleted files,
// not apiserver-boot's hidden records), never nil.
func Listed(changes []Change) []FileChange {
	out := []FileChange{}
	for _, c := range changes {
		if (c.Action == Create || c.Action == Update || c.Action == Delete) && !c.Hidden {
			out = append(out, FileChange{Path: c.Path, Action: c.Action})
		}
	}
	return out
}
