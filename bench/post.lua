-- wrk script: POST the JSON body in $BODY with the headers in $HEADERS ("Name: value" lines separated by "|").
wrk.method = "POST"
wrk.body = os.getenv("BODY") or "{}"
wrk.headers["Content-Type"] = "application/json"
local headers = os.getenv("HEADERS") or ""
for header in string.gmatch(headers, "[^|]+") do
  local name, value = string.match(header, "^%s*([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
