-- wrk script: GET with the headers in $HEADERS ("Name: value" lines separated by "|").
local headers = os.getenv("HEADERS") or ""
for header in string.gmatch(headers, "[^|]+") do
  local name, value = string.match(header, "^%s*([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
