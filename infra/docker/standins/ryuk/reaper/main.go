// A resource reaper that speaks Ryuk's protocol, written for the lab: testcontainers/moby-ryuk is not served by
// the Go module proxy our machines reach, so the testcontainers/ryuk stand-in runs this instead. Standard library
// only; it talks to the Docker Engine API over the mounted socket.
//
// The contract testcontainers relies on (testcontainers-node 12: build/reaper/reaper.js, and Ryuk's README):
//   - listens on TCP RYUK_PORT (8080) and logs a line containing "Started" once it does;
//   - each line a client sends ("label=org.testcontainers.session-id=<id>", or several filters joined with '&',
//     URL-query encoded) adds a filter set, answered with "ACK\n";
//   - no connection within RYUK_CONNECTION_TIMEOUT (60s), or none left for RYUK_RECONNECTION_TIMEOUT (10s) after
//     the last one closed, or SIGINT/SIGTERM (then up to RYUK_SHUTDOWN_TIMEOUT for connected clients to leave): every
//     container (forced, with its anonymous volumes), network, volume and image matching a filter set is removed,
//     then it exits. Containers labelled org.testcontainers.ryuk=true (reapers, this one included) are spared.
//   - a matching resource created after the prune began (RYUK_RETRY_OFFSET before it) postpones the prune;
//     removals are retried RYUK_REMOVE_RETRIES times; Docker requests time out after RYUK_REQUEST_TIMEOUT.
//   - RYUK_VERBOSE=true logs at debug level. DOCKER_HOST (unix:// or tcp://) names the engine, as Docker's
//     clients read it; the default is the socket testcontainers mounts, /var/run/docker.sock.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const reaperLabel = "org.testcontainers.ryuk"

var errChanged = errors.New("changes detected")

type config struct {
	connectionTimeout   time.Duration
	reconnectionTimeout time.Duration
	requestTimeout      time.Duration
	shutdownTimeout     time.Duration
	retryOffset         time.Duration
	removeRetries       int
	port                int
	verbose             bool
}

func loadConfig() (config, error) {
	cfg := config{}
	var errs []error
	duration := func(name, fallback string) time.Duration {
		value := envOr(name, fallback)
		d, err := time.ParseDuration(value)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", name, value, err))
		}
		return d
	}
	integer := func(name, fallback string) int {
		value := envOr(name, fallback)
		n, err := strconv.Atoi(value)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", name, value, err))
		}
		return n
	}
	cfg.connectionTimeout = duration("RYUK_CONNECTION_TIMEOUT", "60s")
	cfg.reconnectionTimeout = duration("RYUK_RECONNECTION_TIMEOUT", "10s")
	cfg.requestTimeout = duration("RYUK_REQUEST_TIMEOUT", "10s")
	cfg.shutdownTimeout = duration("RYUK_SHUTDOWN_TIMEOUT", "10m")
	cfg.retryOffset = duration("RYUK_RETRY_OFFSET", "-1s")
	cfg.removeRetries = integer("RYUK_REMOVE_RETRIES", "10")
	cfg.port = integer("RYUK_PORT", "8080")
	verbose, err := strconv.ParseBool(envOr("RYUK_VERBOSE", "false"))
	if err != nil {
		errs = append(errs, fmt.Errorf("RYUK_VERBOSE: %w", err))
	}
	cfg.verbose = verbose
	return cfg, errors.Join(errs...)
}

func envOr(name, fallback string) string {
	if value, ok := os.LookupEnv(name); ok && value != "" {
		return value
	}
	return fallback
}

// docker is a minimal Docker Engine API client: unversioned paths, so any engine answers with its own version.
type docker struct {
	http    *http.Client
	base    string
	timeout time.Duration
}

func newDocker(timeout time.Duration) (*docker, error) {
	host := envOr("DOCKER_HOST", "unix:///var/run/docker.sock")
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("DOCKER_HOST %q: %w", host, err)
	}
	transport := &http.Transport{}
	base := "http://docker"
	switch u.Scheme {
	case "unix":
		socket := u.Path
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		}
	case "tcp", "http":
		base = "http://" + u.Host
	default:
		return nil, fmt.Errorf("DOCKER_HOST %q: only unix:// and tcp:// are supported", host)
	}
	return &docker{http: &http.Client{Transport: transport}, base: base, timeout: timeout}, nil
}

type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d: %s", e.status, e.message) }

func isNotFound(err error) bool {
	var api *apiError
	return errors.As(err, &api) && api.status == http.StatusNotFound
}

// call sends one request; into, when not nil, receives the JSON answer.
func (d *docker) call(method, path string, query url.Values, into any) error {
	ctx, cancel := context.WithTimeout(context.Background(), d.timeout)
	defer cancel()
	target := d.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return err
	}
	res, err := d.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		var msg struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &msg) != nil || msg.Message == "" {
			msg.Message = strings.TrimSpace(string(body))
		}
		return &apiError{status: res.StatusCode, message: msg.Message}
	}
	if into != nil {
		return json.Unmarshal(body, into)
	}
	return nil
}

// filterSet is one line a client sent, in the Docker API's filters form: {"label": {"k=v": true}}.
type filterSet map[string]map[string]bool

func parseFilter(line string) (filterSet, error) {
	query, err := url.ParseQuery(line)
	if err != nil {
		return nil, err
	}
	set := filterSet{}
	for kind, values := range query {
		for _, value := range values {
			if set[kind] == nil {
				set[kind] = map[string]bool{}
			}
			set[kind][value] = true
		}
	}
	if len(set) == 0 {
		return nil, errors.New("no filter in the line")
	}
	return set, nil
}

// key is the filter set as JSON (encoding/json sorts map keys): equal sets give equal keys.
func (f filterSet) key() string {
	data, _ := json.Marshal(f)
	return string(data)
}

type reaper struct {
	cfg          config
	docker       *docker
	logger       *slog.Logger
	listener     net.Listener
	mtx          sync.Mutex
	filters      map[string]filterSet
	connected    chan string
	disconnected chan string
	closing      chan struct{}
	closeOnce    sync.Once
}

func (r *reaper) addFilter(line string) error {
	set, err := parseFilter(line)
	if err != nil {
		return err
	}
	key := set.key()
	r.mtx.Lock()
	defer r.mtx.Unlock()
	if _, ok := r.filters[key]; !ok {
		r.filters[key] = set
		r.logger.Info("adding filter", "filter", key)
	}
	return nil
}

func (r *reaper) filterSets() []filterSet {
	r.mtx.Lock()
	defer r.mtx.Unlock()
	keys := make([]string, 0, len(r.filters))
	for key := range r.filters {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	sets := make([]filterSet, 0, len(keys))
	for _, key := range keys {
		sets = append(sets, r.filters[key])
	}
	return sets
}

// accept registers each connection before reading from it, so the connection count never races.
func (r *reaper) accept() {
	for {
		conn, err := r.listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			r.logger.Error("accept", "error", err)
			continue
		}
		addr := conn.RemoteAddr().String()
		select {
		case r.connected <- addr:
			go r.serve(conn, addr)
		case <-r.closing:
			// Pruning has begun: closing without an ACK makes the client look for another reaper.
			r.logger.Warn("shutting down, refusing client", "address", addr)
			conn.Close()
			return
		}
	}
}

func (r *reaper) serve(conn net.Conn, addr string) {
	defer func() {
		conn.Close()
		r.disconnected <- addr
	}()
	scanner := bufio.NewScanner(conn)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" {
			continue
		}
		if err := r.addFilter(line); err != nil {
			r.logger.Error("add filter", "address", addr, "line", line, "error", err)
		}
		if _, err := conn.Write([]byte("ACK\n")); err != nil {
			r.logger.Error("ack write", "address", addr, "error", err)
		}
	}
}

func (r *reaper) stopAccepting() {
	r.closeOnce.Do(func() {
		close(r.closing)
		r.listener.Close()
	})
}

type resources struct{ containers, networks, volumes, images []string }

// collect lists what the filter sets match; errChanged when something matching was created after since.
func (r *reaper) collect(since time.Time) (resources, error) {
	var res resources
	var errs []error
	for _, set := range r.filterSets() {
		query := url.Values{"filters": {set.key()}}
		var containers []struct {
			ID      string            `json:"Id"`
			Created int64             `json:"Created"`
			Labels  map[string]string `json:"Labels"`
		}
		if err := r.docker.call(http.MethodGet, "/containers/json", url.Values{"all": {"1"}, "filters": {set.key()}}, &containers); err != nil {
			errs = append(errs, fmt.Errorf("list containers: %w", err))
		}
		for _, c := range containers {
			if c.Labels[reaperLabel] == "true" {
				r.logger.Debug("sparing reaper container", "id", c.ID)
				continue
			}
			if time.Unix(c.Created, 0).After(since) {
				return res, fmt.Errorf("container %s: %w", c.ID, errChanged)
			}
			res.containers = append(res.containers, c.ID)
		}
		var networks []struct {
			ID      string    `json:"Id"`
			Created time.Time `json:"Created"`
		}
		if err := r.docker.call(http.MethodGet, "/networks", query, &networks); err != nil {
			errs = append(errs, fmt.Errorf("list networks: %w", err))
		}
		for _, n := range networks {
			if n.Created.After(since) {
				return res, fmt.Errorf("network %s: %w", n.ID, errChanged)
			}
			res.networks = append(res.networks, n.ID)
		}
		var volumes struct {
			Volumes []struct {
				Name      string `json:"Name"`
				CreatedAt string `json:"CreatedAt"`
			} `json:"Volumes"`
		}
		if err := r.docker.call(http.MethodGet, "/volumes", query, &volumes); err != nil {
			errs = append(errs, fmt.Errorf("list volumes: %w", err))
		}
		for _, v := range volumes.Volumes {
			if created, err := time.Parse(time.RFC3339, v.CreatedAt); err == nil && created.After(since) {
				return res, fmt.Errorf("volume %s: %w", v.Name, errChanged)
			}
			res.volumes = append(res.volumes, v.Name)
		}
		var images []struct {
			ID      string `json:"Id"`
			Created int64  `json:"Created"`
		}
		if err := r.docker.call(http.MethodGet, "/images/json", query, &images); err != nil {
			errs = append(errs, fmt.Errorf("list images: %w", err))
		}
		for _, i := range images {
			if time.Unix(i.Created, 0).After(since) {
				return res, fmt.Errorf("image %s: %w", i.ID, errChanged)
			}
			res.images = append(res.images, i.ID)
		}
	}
	return res, errors.Join(errs...)
}

// remove deletes each resource, retrying failures; a resource already gone counts as removed.
func (r *reaper) remove(kind string, ids []string, del func(id string) error) int {
	todo := map[string]bool{}
	for _, id := range ids {
		todo[id] = true
	}
	removed := 0
	for attempt := 1; attempt <= r.cfg.removeRetries && len(todo) > 0; attempt++ {
		for id := range todo {
			if err := del(id); err != nil && !isNotFound(err) {
				r.logger.Error("remove", "resource", kind, "id", id, "attempt", attempt, "error", err)
				continue
			}
			delete(todo, id)
			removed++
		}
		if len(todo) > 0 && attempt < r.cfg.removeRetries {
			time.Sleep(time.Second)
		}
	}
	if len(todo) > 0 {
		r.logger.Error("left behind", "resource", kind, "count", len(todo))
	}
	return removed
}

func (r *reaper) prune(res resources) {
	containers := r.remove("container", res.containers, func(id string) error {
		return r.docker.call(http.MethodDelete, "/containers/"+id, url.Values{"force": {"1"}, "v": {"1"}}, nil)
	})
	networks := r.remove("network", res.networks, func(id string) error {
		return r.docker.call(http.MethodDelete, "/networks/"+id, nil, nil)
	})
	volumes := r.remove("volume", res.volumes, func(name string) error {
		return r.docker.call(http.MethodDelete, "/volumes/"+url.PathEscape(name), url.Values{"force": {"1"}}, nil)
	})
	images := r.remove("image", res.images, func(id string) error {
		return r.docker.call(http.MethodDelete, "/images/"+id, nil, nil)
	})
	r.logger.Info("removed", "containers", containers, "networks", networks, "volumes", volumes, "images", images)
}

// run waits for a prune condition (see the package comment), then prunes once.
func (r *reaper) run(signals <-chan os.Signal) {
	go r.accept()
	clients := 0
	check := time.NewTicker(r.cfg.connectionTimeout)
	defer check.Stop()
	for {
		select {
		case addr := <-r.connected:
			clients++
			r.logger.Info("client connected", "address", addr, "clients", clients)
			if clients == 1 {
				check.Stop()
			}
		case addr := <-r.disconnected:
			clients--
			r.logger.Info("client disconnected", "address", addr, "clients", clients)
			if clients == 0 {
				if signals != nil {
					check.Reset(r.cfg.reconnectionTimeout)
				} else {
					check.Reset(time.Nanosecond) // Signalled and the last client gone: prune now.
				}
			}
		case sig := <-signals:
			r.logger.Info("signal received", "signal", sig.String(), "clients", clients, "shutdown_timeout", r.cfg.shutdownTimeout)
			r.stopAccepting()
			wait := r.cfg.shutdownTimeout
			if clients == 0 {
				wait = time.Nanosecond
			}
			check.Reset(wait)
			signals = nil
		case now := <-check.C:
			r.logger.Info("prune check", "clients", clients)
			if clients > 0 {
				r.logger.Warn("shutdown timeout", "clients", clients)
			}
			res, err := r.collect(now.Add(r.cfg.retryOffset))
			if errors.Is(err, errChanged) {
				r.logger.Warn("change detected, waiting again", "error", err)
				continue
			}
			if err != nil {
				r.logger.Error("resources", "error", err)
			}
			r.stopAccepting()
			r.prune(res)
			return
		}
	}
}

func main() {
	level := &slog.LevelVar{}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	cfg, err := loadConfig()
	if err != nil {
		logger.Error("config", "error", err)
		os.Exit(1)
	}
	if cfg.verbose {
		level.Set(slog.LevelDebug)
	}
	client, err := newDocker(cfg.requestTimeout)
	if err == nil {
		err = client.call(http.MethodGet, "/_ping", nil, nil)
	}
	if err != nil {
		logger.Error("docker ping", "error", err)
		os.Exit(1)
	}
	logger.Info("starting", "connection_timeout", cfg.connectionTimeout, "reconnection_timeout", cfg.reconnectionTimeout,
		"request_timeout", cfg.requestTimeout, "shutdown_timeout", cfg.shutdownTimeout, "remove_retries", cfg.removeRetries,
		"retry_offset", cfg.retryOffset, "port", cfg.port, "verbose", cfg.verbose)
	listener, err := net.Listen("tcp", fmt.Sprintf(":%d", cfg.port))
	if err != nil {
		logger.Error("listen", "error", err)
		os.Exit(1)
	}
	logger.Info("Started", "address", listener.Addr().String())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	r := &reaper{
		cfg: cfg, docker: client, logger: logger, listener: listener,
		filters:   map[string]filterSet{},
		connected: make(chan string), disconnected: make(chan string), closing: make(chan struct{}),
	}
	r.run(signals)
	logger.Info("done")
}
