# c_string.awk — the C string helper of the embedding scripts
# (sql/embed.awk, conf/templates/embed.awk), given before them:
#     awk -f mk/c_string.awk -f sql/embed.awk …

# line as the inside of a C string literal: backslash, quote and the "??"
# of a trigraph escaped.  Built character by character, because what a
# backslash in gsub()'s replacement means differs between awks (mawk, the
# Debian default, would not double one).
function c_string(line,    out, i, c, prev) {
	out = ""
	prev = ""
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (c == "\\")
			out = out "\\\\"
		else if (c == "\"")
			out = out "\\\""
		else if (c == "?" && prev == "?")
			out = out "\\?"
		else
			out = out c
		prev = c
	}
	return out
}
