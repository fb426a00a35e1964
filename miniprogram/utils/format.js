// Display helpers.

// The server sends times already in Asia/Shanghai with their offset
// ("2024-05-01T09:30:00+08:00"): show "2024-05-01 09:30" without reparsing,
// so the phone's own time zone cannot shift it.
function formatTime(iso) {
  return iso ? String(iso).slice(0, 16).replace('T', ' ') : ''
}

// "85.20" → "85.20 m²"
function formatArea(area) {
  return area ? `${area} m²` : ''
}

module.exports = { formatTime, formatArea }
