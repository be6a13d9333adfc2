/** UI text of an organization's scheduled deletion (Settings → Organization, owners; Spanish must have every key). */
export const en = {
  'orgDeletion.title': 'Delete organization',
  'orgDeletion.desc':
    'Deleting is not immediate: the organization is scheduled for deletion and everything in it (bots, knowledge, conversations, contacts, channels, members) is purged after a grace period. Until then you can cancel, and you can download a final export of all its data.',
  'orgDeletion.schedule': 'Schedule deletion',
  'orgDeletion.confirmTitle': 'Schedule the deletion of {name}?',
  'orgDeletion.confirmDesc': 'Type the organization’s name and your password. Everything is purged at the end of the grace period unless you cancel before.',
  'orgDeletion.password': 'Your password',
  'orgDeletion.scheduled': 'Deletion scheduled',
  'orgDeletion.scheduledDesc': 'This organization and all its data will be deleted on {date}. Download the final export before then if you need its data.',
  'orgDeletion.cancel': 'Cancel deletion',
  'orgDeletion.cancelled': 'The deletion was cancelled.',
  'orgDeletion.scheduledToast': 'Deletion scheduled for {date}.',
  'orgDeletion.export': 'Download final export',
  'orgDeletion.exportHint': 'A JSON file with settings, members, bots, knowledge, flows, contacts, conversations, webhooks and the audit log (credentials are left out).',
  'orgDeletion.exported': 'The export was downloaded.',
} as const;

export const es: Record<keyof typeof en, string> = {
  'orgDeletion.title': 'Eliminar organización',
  'orgDeletion.desc':
    'La eliminación no es inmediata: la organización queda programada para eliminarse y todo su contenido (bots, conocimiento, conversaciones, contactos, canales, miembros) se borra tras un periodo de gracia. Hasta entonces puedes cancelarla y descargar una exportación final de todos sus datos.',
  'orgDeletion.schedule': 'Programar eliminación',
  'orgDeletion.confirmTitle': '¿Programar la eliminación de {name}?',
  'orgDeletion.confirmDesc': 'Escribe el nombre de la organización y tu contraseña. Todo se borrará al final del periodo de gracia salvo que la canceles antes.',
  'orgDeletion.password': 'Tu contraseña',
  'orgDeletion.scheduled': 'Eliminación programada',
  'orgDeletion.scheduledDesc': 'Esta organización y todos sus datos se eliminarán el {date}. Descarga la exportación final antes si necesitas sus datos.',
  'orgDeletion.cancel': 'Cancelar eliminación',
  'orgDeletion.cancelled': 'Se canceló la eliminación.',
  'orgDeletion.scheduledToast': 'Eliminación programada para el {date}.',
  'orgDeletion.export': 'Descargar exportación final',
  'orgDeletion.exportHint': 'Un archivo JSON con ajustes, miembros, bots, conocimiento, flujos, contactos, conversaciones, webhooks y el registro de auditoría (sin credenciales).',
  'orgDeletion.exported': 'Se descargó la exportación.',
};
