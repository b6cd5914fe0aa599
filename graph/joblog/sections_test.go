package joblog

import (
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const sectionedLog = "Running with gitlab-runner 17.6.0\n" +
	"section_start:1700000000:prepare\r\x1b[0K\x1b[0K\x1b[36;1mPreparing\x1b[0;m\n" +
	"pulling\n" +
	"section_start:1700000001:pull[collapsed=true]\r\x1b[0KPulling image\n" +
	"layer 1\n" +
	"section_end:1700000004:pull\r\x1b[0K\n" +
	"section_end:1700000005:prepare\r\x1b[0K\x1b[0Ksection_start:1700000005:step_script\r\x1b[0KExecuting \"step_script\"\n" +
	"$ make\n"

func TestSections(t *testing.T) {
	at := func(unix int64) time.Time { return time.Unix(unix, 0).UTC() }
	want := []Section{
		{Name: "prepare", Header: "Preparing", StartedAt: at(1700000000), EndedAt: at(1700000005), StartLine: 2, EndLine: 7},
		{Name: "pull", Header: "Pulling image", StartedAt: at(1700000001), EndedAt: at(1700000004), StartLine: 4, EndLine: 6, Collapsed: true},
		{Name: "step_script", Header: `Executing "step_script"`, StartedAt: at(1700000005), StartLine: 7},
	}
	// One byte at a time, so every marker is cut by a read.
	res, err := Read(iotest.OneByteReader(strings.NewReader(sectionedLog)), Plan{Sections: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Sections, want) {
		t.Errorf("sections\n%+v\nwant\n%+v", res.Sections, want)
	}
	if d, ok := res.Sections[1].Duration(); !ok || d != 3*time.Second {
		t.Errorf("pull took %v (%v), want 3s", d, ok)
	}
	if _, ok := res.Sections[2].Duration(); ok {
		t.Error("an open section has a duration")
	}
}

// As in GitLab's renderer: an end closes the sections opened inside the one it
// names, an end of no open section and a second start of an open one do nothing.
func TestSectionNesting(t *testing.T) {
	log := "section_start:1:outer\r\x1b[0K\n" +
		"section_start:2:inner\r\x1b[0K\n" +
		"section_start:3:outer\r\x1b[0K\n" +
		"section_end:4:nothing\r\x1b[0K\n" +
		"section_end:5:outer\r\x1b[0K\n"
	res, err := Read(strings.NewReader(log), Plan{Sections: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sections) != 2 {
		t.Fatalf("sections %+v, want outer and inner", res.Sections)
	}
	for _, s := range res.Sections {
		if s.EndLine != 5 || s.EndedAt.Unix() != 5 {
			t.Errorf("%s ends on line %d at %d, want line 5 at 5", s.Name, s.EndLine, s.EndedAt.Unix())
		}
	}
}
