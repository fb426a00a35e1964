// The issue page's photos (pages/issue/index.js): the ones the detail lists
// (`photos`, upload ids) downloaded in the background and shown as
// page.data.photoList [{id, path, failed}]. The page keeps what was fetched in
// this.photoPaths (upload id → temp file, '' when it could not be fetched),
// set in onLoad, so a refresh downloads nothing twice.
const { photoFile } = require('../../api/uploads')

// Methods of the issue page.
const photoMethods = {
  photoListOf(ids) {
    return ids.map((id) => ({ id, path: this.photoPaths[id] || '', failed: this.photoPaths[id] === '' }))
  },

  // One at a time (WeChat caps parallel downloads), after any pass still
  // running; a photo that cannot be fetched stays a placeholder. Resolves
  // when the photos shown are all there.
  loadPhotos() {
    this.photosDone = (this.photosDone || Promise.resolve()).then(() => this.downloadPhotos())
    return this.photosDone
  },

  async downloadPhotos() {
    for (const { id } of this.data.photoList) {
      if (id in this.photoPaths) continue
      try {
        this.photoPaths[id] = await photoFile(id)
      } catch (err) {
        this.photoPaths[id] = ''
      }
      this.setData({ photoList: this.photoListOf(this.data.photoList.map((p) => p.id)) })
    }
  },

  previewPhoto(e) {
    const urls = this.data.photoList.map((p) => p.path).filter(Boolean)
    const current = e.currentTarget.dataset.path
    if (current) wx.previewImage({ urls, current })
  },
}

module.exports = { photoMethods }
