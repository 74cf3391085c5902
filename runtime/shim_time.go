package gopatchrt

import "time"

var opSleep = &Op{"time", "time.Sleep"}

// Sleep stands in for time.Sleep.
func (c Call) Sleep(d time.Duration) {
	if h := active(); h != nil {
		c.sleep(h, d)
		return
	}
	time.Sleep(d)
}

func (c Call) sleep(h Hub, d time.Duration) {
	t := c.before(h, opSleep)
	if t.Err == nil {
		time.Sleep(d)
	}
	h.After(c.site, opSleep, t, nil)
}
