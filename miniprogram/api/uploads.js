// Photos: upload one (multipart, field `file`) and fetch one back for display.
const { upload, download } = require('./request')

// Resolves with {id, content_type, width, height, size_bytes}.
// onProgress(percent) follows the upload when WeChat reports it.
function uploadPhoto(filePath, onProgress) {
  return upload({ url: '/api/v1/uploads', filePath, onProgress })
}

// The photo needs the bearer header, so <image src> cannot load it directly:
// download it and resolve with the temporary file path.
function photoFile(id) {
  return download({ url: `/api/v1/uploads/${id}` })
}

module.exports = { uploadPhoto, photoFile }
