// Package fetch retrieves a URL with retries and backoff.
package fetch

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client retries failed requests with exponential backoff.
type Client struct {
	HTTP     *http.Client
	Attempts int
	Backoff  time.Duration
}

// Get fetches url, retrying on errors and 5xx responses.
func (c *Client) Get(url string) ([]byte, error) {
	delay := c.Backoff
	var last error
	for i := 0; i < c.Attempts; i++ {
		resp, err := c.HTTP.Get(url)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 500 && rerr == nil {
				return body, nil
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		time.Sleep(delay) // back off before the next attempt
		delay *= 2
	}
	return nil, fmt.Errorf("after %d attempts: %w", c.Attempts, last)
}

// Elapsed reports how long f takes.
func Elapsed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}
