-- wrk script for bench/perf.py: signed-in requests, the quiz cycle, and a status check on every POST's answer.
--
-- Configured through the environment (perf.py sets it):
--   BENCH_MODE     get (default): the URL given to wrk, GET (statuses left to wrk and perf.py's own checks)
--                  post: one fixed POST of BENCH_BODY to that URL, answered with a redirect
--                  quiz: each connection starts an attempt and submits it, over and over (see below)
--   BENCH_EXPECT   post mode: the status every answer must have (default 200)
--   BENCH_COOKIE   the Cookie header of a signed-in session (unset for hello-world)
--   BENCH_AGENT    the User-Agent the session signed in with (Flask-Login ties the session to it)
--   BENCH_TOKEN    the session's CSRF token, for quiz mode
--   BENCH_MODULES  quiz mode: space-separated module slugs, one per wrk thread
--   BENCH_ANSWERS  quiz mode: the url-encoded answers submitted with every attempt
--
-- Quiz mode runs one connection per thread, so each thread's requests strictly alternate:
--   POST /modules/<slug>/quiz      -> 302 /attempts/<id>          (a new attempt is opened)
--   POST /attempts/<id>            -> 302 /attempts/<id>/result   (that attempt is graded and recorded)
-- Each thread has its own module, so no two threads ever share (and so resume) one open attempt.

local mode = os.getenv("BENCH_MODE") or "get"
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local threads = {}

-- Per-thread counters (globals, so done() can read them with thread:get).
unexpected = 0
starts = 0
submits = 0
first_unexpected = ""

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_index", #threads)
end

local module_slug, token, answers, attempt
local form_headers = {}

function init(args)
   local cookie = os.getenv("BENCH_COOKIE") or ""
   if cookie ~= "" then
      wrk.headers["Cookie"] = cookie
   end
   wrk.headers["User-Agent"] = os.getenv("BENCH_AGENT") or "conduit-bench"
   if mode == "post" then
      wrk.method = "POST"
      wrk.body = os.getenv("BENCH_BODY") or ""
      wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   elseif mode == "quiz" then
      local slugs = {}
      for slug in string.gmatch(os.getenv("BENCH_MODULES") or "", "%S+") do
         table.insert(slugs, slug)
      end
      module_slug = slugs[thread_index]
      token = os.getenv("BENCH_TOKEN") or ""
      answers = os.getenv("BENCH_ANSWERS") or ""
      for name, value in pairs(wrk.headers) do
         form_headers[name] = value
      end
      form_headers["Content-Type"] = "application/x-www-form-urlencoded"
   end
end

local function note(status, location)
   unexpected = unexpected + 1
   if first_unexpected == "" then
      first_unexpected = status .. " " .. (location or "")
   end
end

if mode == "quiz" then
   -- Defined only in quiz mode: wrk sends a pre-built request, faster, when request() is absent.
   function request()
      if attempt then
         local path = "/attempts/" .. attempt
         attempt = nil
         return wrk.format("POST", path, form_headers, "csrf_token=" .. token .. "&" .. answers)
      end
      return wrk.format("POST", "/modules/" .. module_slug .. "/quiz", form_headers, "csrf_token=" .. token)
   end
end

local function check(status, headers, body)
   local location = headers["Location"] or headers["location"]
   if mode ~= "quiz" then
      if status ~= expect then
         note(status, location)
      end
      return
   end
   if status == 302 and location then
      local opened = string.match(location, "/attempts/(%d+)$")
      if opened then
         attempt = opened
         starts = starts + 1
         return
      end
      if string.match(location, "/attempts/%d+/result$") then
         submits = submits + 1
         return
      end
   end
   note(status, location)
end

if mode ~= "get" then
   -- A response hook makes wrk parse every answer, which costs it CPU the servers then lack; plain GETs
   -- do without (perf.py checks those pages before and after each run), hello-world included.
   response = check
end

function done(summary, latency, requests)
   local totals = { unexpected = 0, starts = 0, submits = 0 }
   local first = ""
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + thread:get(name)
      end
      if first == "" then
         first = thread:get("first_unexpected")
      end
   end
   io.write(string.format("bench: unexpected=%d starts=%d submits=%d first_unexpected=%s\n",
      totals.unexpected, totals.starts, totals.submits, first))
end
