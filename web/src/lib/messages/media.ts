/** UI text of files in the inbox: attachments on messages and sending a file (Spanish must have every key). */
export const en = {
  'media.image': 'Image',
  'media.audio': 'Audio',
  'media.video': 'Video',
  'media.document': 'File',
  'media.sticker': 'Sticker',
  'media.pending': 'Downloading {name}…',
  'media.tooLarge': '{name} is too large to download',
  'media.failed': '{name} could not be downloaded',
  'media.download': 'Download {name}',
  'media.loadFailed': 'Could not load the file',
  'media.attach': 'Send a file',
  'media.sending': 'Sending {name}…',
  'media.sendFailed': 'Could not send the file: {message}',
};

export const es: Record<keyof typeof en, string> = {
  'media.image': 'Imagen',
  'media.audio': 'Audio',
  'media.video': 'Vídeo',
  'media.document': 'Archivo',
  'media.sticker': 'Sticker',
  'media.pending': 'Descargando {name}…',
  'media.tooLarge': '{name} es demasiado grande para descargarlo',
  'media.failed': 'No se pudo descargar {name}',
  'media.download': 'Descargar {name}',
  'media.loadFailed': 'No se pudo cargar el archivo',
  'media.attach': 'Enviar un archivo',
  'media.sending': 'Enviando {name}…',
  'media.sendFailed': 'No se pudo enviar el archivo: {message}',
};
