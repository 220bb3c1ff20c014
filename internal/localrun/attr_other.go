//go:build !linux

package localrun

import "syscall"

// childAttr puts a child in its own process group. Only Linux can have the
// kernel kill children when their parent dies; elsewhere, a SIGKILLed
// apiserver-boot can leave them behind.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
