// Package binproc runs the midstream binary as a user would, for the
// tests of the main module and of the end-to-end module: it builds the
// binary, starts it and follows what it prints.
package binproc

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Build builds the midstream module in dir into a new temporary folder and
// returns the binary's path and a function that removes the folder.
func Build(dir string) (string, func(), error) {
	tmp, err := os.MkdirTemp("", "midstream-bin-")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(tmp, "midstream")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("building midstream: %v\n%s", err, out)
	}
	return bin, func() { os.RemoveAll(tmp) }, nil
}

// Proc is a midstream process started by a test, with its output lines.
type Proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout []string
	stderr []string
	lines  chan string // every line of either stream, as it comes
	exited chan error
}

// Start runs the binary bin with args (env added to the environment)
// and collects its output; the process is killed when the test ends.
func Start(t *testing.T, bin string, env []string, args ...string) *Proc {
	t.Helper()
	p := &Proc{cmd: exec.Command(bin, args...), lines: make(chan string, 1000), exited: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	so, _ := p.cmd.StdoutPipe()
	se, _ := p.cmd.StderrPipe()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	collect := func(r io.Reader, into *[]string) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			p.mu.Lock()
			*into = append(*into, sc.Text())
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}
	wg.Add(2)
	go collect(so, &p.stdout)
	go collect(se, &p.stderr)
	go func() { wg.Wait(); p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// WaitFor returns the first submatch of re in the next lines, within 10s.
func (p *Proc) WaitFor(t *testing.T, re string) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l := <-p.lines:
			if m := rx.FindStringSubmatch(l); m != nil {
				return m[len(m)-1]
			}
		case <-timeout:
			t.Fatalf("no line matching %q; output so far:\n%s", re, p.Output())
			return ""
		}
	}
}

// Output is everything the process printed so far, stdout then stderr.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return "stdout:\n" + strings.Join(p.stdout, "\n") + "\nstderr:\n" + strings.Join(p.stderr, "\n")
}

// Wait waits for the process to exit and returns its exit code.
func (p *Proc) Wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		t.Fatalf("still running after %v\n%s", d, p.Output())
		return -1
	}
}

// Pid is the process's id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Signal sends sig to the process.
func (p *Proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }
