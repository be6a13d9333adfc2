/** UI text of the account lifecycle: avatar, account deletion's second factor (Spanish must have every key). */
export const en = {
  'avatar.title': 'Profile picture',
  'avatar.desc': 'PNG, JPEG or WebP. It is resized to 256×256 before uploading.',
  'avatar.choose': 'Choose a picture',
  'avatar.alt': 'Profile picture of {name}',
  'lifecycle.twoFactorCode': 'Authenticator or backup code',
};

export const es: Record<keyof typeof en, string> = {
  'avatar.title': 'Foto de perfil',
  'avatar.desc': 'PNG, JPEG o WebP. Se reduce a 256×256 antes de subirla.',
  'avatar.choose': 'Elegir una foto',
  'avatar.alt': 'Foto de perfil de {name}',
  'lifecycle.twoFactorCode': 'Código de la app o de respaldo',
};
