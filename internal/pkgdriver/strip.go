package pkgdriver

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// declarationsOnly returns src with the bodies of its functions and the
// contents of its package-level variables' composite literals emptied, and
// everything else as it was, byte for byte and at the same offsets. A file
// that does not parse is returned as it is, for the loader to report.
//
// Inside a body, comments stay as they are, the last token before each
// comment becomes an empty statement (";"), and every other byte but
// newlines becomes a space. Lines and columns are therefore unchanged, and
// so, nearly always, is the way the parser groups comments, which depends on
// the lines tokens and comments are on. That matters: gengo finds doc
// comments by the line a group ends on, so a body's last comment can be the
// "detached" comment of the declaration after it. The result is parsed
// again, and a body whose comments group differently (a multi-line /* */
// comment followed by another on its last line) is put back whole. A
// composite literal (unicode's tables, say) is emptied only when it holds no
// comment, and never when its length is its element count ([...]T{…}).
//
// The type checker then sees functions that do nothing and literals without
// elements ("missing return", unused imports and missing fields are reported
// as type errors, which the generators ignore as they ignore every type error
// in dependencies); declarations, and so every type, constant and signature,
// are exactly those of src.
func declarationsOnly(src []byte) []byte {
	f, tf, err := parse(src)
	if err != nil {
		return src
	}
	var blocks, literals [][2]int
	inside := func(lo, hi token.Pos) [2]int { return [2]int{tf.Offset(lo) + 1, tf.Offset(hi)} }
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body != nil {
				blocks = append(blocks, inside(d.Body.Lbrace, d.Body.Rbrace))
			}
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			ast.Inspect(d, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					blocks = append(blocks, inside(n.Body.Lbrace, n.Body.Rbrace))
					return false
				case *ast.CompositeLit:
					if at, ok := n.Type.(*ast.ArrayType); ok {
						if _, ok := at.Len.(*ast.Ellipsis); ok {
							return true
						}
					}
					if hasComment(f, n.Lbrace, n.Rbrace) {
						return true
					}
					literals = append(literals, inside(n.Lbrace, n.Rbrace))
					return false
				}
				return true
			})
		}
	}
	out := bytes.Clone(src)
	for _, b := range blocks {
		emptyBody(out, src, b[0], b[1])
	}
	for _, l := range literals {
		blank(out, l[0], l[1])
	}
	want := groupsIn(f, tf, blocks)
	if strings.Join(want, "") == "" {
		return out // no comment in a body: nothing to group differently
	}
	g, gf, err := parse(out)
	if err != nil {
		return src
	}
	got := groupsIn(g, gf, blocks)
	for i, b := range blocks {
		if want[i] != got[i] {
			copy(out[b[0]:b[1]], src[b[0]:b[1]])
		}
	}
	return out
}

func hasComment(f *ast.File, lo, hi token.Pos) bool {
	for _, g := range f.Comments {
		if g.Pos() > lo && g.Pos() < hi {
			return true
		}
	}
	return false
}

// blank turns out[lo:hi] into spaces, keeping newlines.
func blank(out []byte, lo, hi int) {
	for i := lo; i < hi; i++ {
		if out[i] != '\n' {
			out[i] = ' '
		}
	}
}

func parse(src []byte) (*ast.File, *token.File, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, err
	}
	return f, fset.File(f.FileStart), nil
}

// groupsIn describes, for each body, the comment groups that start in it:
// their offsets and text.
func groupsIn(f *ast.File, tf *token.File, bodies [][2]int) []string {
	out := make([]string, len(bodies))
	for _, g := range f.Comments {
		lo := tf.Offset(g.Pos())
		for i, b := range bodies {
			if lo >= b[0] && lo < b[1] {
				out[i] += fmt.Sprintf("%d-%d %q\n", lo, tf.Offset(g.End()), g.Text())
			}
		}
	}
	return out
}

// emptyBody rewrites out[lo:hi], the inside of a body in src, as above.
// The parser groups comments by the lines they are on, whether the token
// before a comment is on its line, and whether tokens lie between comments;
// so one empty statement, where the last token before each comment was,
// keeps all of that, and the rest of the code can go.
func emptyBody(out, src []byte, lo, hi int) {
	blank(out, lo, hi)
	body := src[lo:hi]
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(body))
	var s scanner.Scanner
	s.Init(file, body, nil, scanner.ScanComments)
	last := -1 // where the last token since the last comment was
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return
		}
		start := file.Offset(pos)
		switch {
		case tok == token.COMMENT:
			if last >= 0 {
				out[lo+last] = ';'
				last = -1
			}
			// The scanner drops carriage returns from lit: copy the source.
			copy(out[lo+start:], body[start:tokenEnd(body, start, lit)])
		case tok == token.SEMICOLON && lit == "\n":
			// inserted by the scanner at a line end; not in the source
		default:
			last = start
			// A raw string spanning lines: the line its end is on counts.
			if end := tokenEnd(body, start, lit); bytes.IndexByte(body[start:end], '\n') >= 0 {
				last = end - 1
			}
		}
	}
}

// tokenEnd is the offset just past the token or comment that starts at start
// in body. Only comments and raw strings can hold a newline (and a carriage
// return, which the scanner leaves out of lit), so only they are searched.
func tokenEnd(body []byte, start int, lit string) int {
	var open, closing string
	switch {
	case strings.HasPrefix(lit, "//"):
		open, closing = "//", "\n"
	case strings.HasPrefix(lit, "/*"):
		open, closing = "/*", "*/"
	case strings.HasPrefix(lit, "`"):
		open, closing = "`", "`"
	default:
		return start + max(len(lit), 1)
	}
	from := start + len(open)
	i := bytes.Index(body[from:], []byte(closing))
	switch {
	case i < 0:
		return len(body)
	case closing == "\n":
		return from + i // the newline is not the comment's
	default:
		return from + i + len(closing)
	}
}
