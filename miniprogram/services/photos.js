// Picking photos and uploading them one by one, for the report form, the
// 办结 form and the receipt of a cash payment. The list lives in
// page.data[key]; each entry is
// {key, path, size, id, status: waiting|uploading|done|failed, progress, error}.
const { uploadPhoto } = require('../api/uploads')
const { errorMessage } = require('../utils/errors')
const { explainFailure } = require('../utils/permission')
const { confirm } = require('../utils/ui')

const MAX_PHOTOS = 9
const MAX_BYTES = 5 * 1024 * 1024 // the server's UPLOAD_MAX_BYTES
const TOO_LARGE = '照片不能超过 5 MB'

let lastKey = 0

// Resolves with the chosen files ([] when the user cancels). A refused
// camera/album or privacy consent is explained first (utils/permission.js).
// `sources`: ['camera'] for a photo that must be taken on the spot.
function chooseImages(count, sources = ['album', 'camera']) {
  return new Promise((resolve) => {
    wx.chooseMedia({
      count,
      mediaType: ['image'],
      sizeType: ['compressed'],
      sourceType: sources,
      success: (res) => resolve(res.tempFiles || []),
      fail: (res) => explainFailure(res, 'camera').then(() => resolve([])),
    })
  })
}

function update(page, key, photoKey, patch) {
  const photos = page.data[key].map((p) => (p.key === photoKey ? Object.assign({}, p, patch) : p))
  page.setData({ [key]: photos })
}

const find = (page, key, photoKey) => page.data[key].find((p) => p.key === photoKey)

async function uploadOne(page, key, photoKey) {
  const photo = find(page, key, photoKey)
  if (!photo) return // removed while waiting its turn
  if (photo.size > MAX_BYTES) {
    update(page, key, photoKey, { status: 'failed', error: TOO_LARGE })
    return
  }
  update(page, key, photoKey, { status: 'uploading', progress: 0, error: '' })
  try {
    const onProgress = (progress) => update(page, key, photoKey, { progress })
    const { id } = await uploadPhoto(photo.path, onProgress)
    update(page, key, photoKey, { status: 'done', id, progress: 100 })
  } catch (err) {
    update(page, key, photoKey, { status: 'failed', error: errorMessage(err) })
  }
}

// Let the user pick what is left of `max` photos (9 unless said), then upload
// them one at a time. `sources` as for chooseImages.
async function addPhotos(page, key, max = MAX_PHOTOS, sources) {
  const room = max - page.data[key].length
  if (room <= 0) {
    wx.showToast({ title: `最多 ${max} 张照片`, icon: 'none' })
    return
  }
  const files = (await chooseImages(room, sources)).slice(0, room)
  const added = files.map((file) => ({
    key: `photo-${++lastKey}`,
    path: file.tempFilePath,
    size: file.size || 0,
    id: 0,
    status: 'waiting',
    progress: 0,
    error: '',
  }))
  if (!added.length) return
  page.setData({ [key]: page.data[key].concat(added) })
  for (const photo of added) await uploadOne(page, key, photo.key)
}

function removePhoto(page, key, photoKey) {
  page.setData({ [key]: page.data[key].filter((p) => p.key !== photoKey) })
}

// Asked first (a photo taken on the spot cannot be taken again later): `title` is the
// question, `goesWith` what the photo would have been sent with (报事, 处理结果, 登记).
async function confirmRemovePhoto(page, key, photoKey, title, goesWith) {
  const sure = await confirm(title, `删除后这张照片不会随${goesWith}提交。`, {
    confirmText: '删除',
    cancelText: '不删',
  })
  if (sure) removePhoto(page, key, photoKey)
  return sure
}

// Try a failed photo again (a photo over 5 MB fails again at once).
function retryPhoto(page, key, photoKey) {
  const photo = find(page, key, photoKey)
  return photo && photo.status === 'failed' ? uploadOne(page, key, photoKey) : Promise.resolve()
}

// The ids to send: photos that made it to the server.
const uploadedIds = (photos) => photos.filter((p) => p.status === 'done').map((p) => p.id)

// Why the form cannot be sent yet, or ''.
function photoProblem(photos) {
  if (photos.some((p) => p.status === 'waiting' || p.status === 'uploading')) return '照片还在上传，请稍候'
  if (photos.some((p) => p.status === 'failed')) return '有照片没有传上去，请点它重试或删除'
  return ''
}

// Downloaded photos (temp paths; '' for one that failed) enlarged, from the one tapped.
function previewPhotos(paths, current) {
  const urls = (paths || []).filter(Boolean)
  if (current && urls.length) wx.previewImage({ urls, current })
}

module.exports = {
  MAX_PHOTOS,
  previewPhotos,
  addPhotos,
  removePhoto,
  confirmRemovePhoto,
  retryPhoto,
  uploadedIds,
  photoProblem,
}
